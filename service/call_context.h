// What a core handler knows about the call besides its request: the
// authenticated caller, the transport and the deadline. Built by the transport
// adapters (gRPC, HTTP) and completed by the method-table wrapper.
#ifndef SERVICE_CALL_CONTEXT_H_
#define SERVICE_CALL_CONTEXT_H_

#include <functional>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/principal.h"

namespace sessions {

// Read access to a call's metadata (gRPC metadata or HTTP headers), so the
// wrapper can authenticate without knowing the transport.
class MetadataView {
 public:
  virtual ~MetadataView() = default;
  // Returns the first value of `key` (lower-case ASCII), if present.
  virtual std::optional<std::string_view> Get(std::string_view key) const = 0;
};

enum class Transport { kGrpc, kHttp };

// Per-call state. Not thread-safe; lives for one call.
struct CallContext {
  Transport transport = Transport::kGrpc;
  // Not owned; must outlive the call. Null means no metadata.
  const MetadataView* metadata = nullptr;
  // Set by the method-table wrapper before the handler runs.
  Principal principal;
  // When the caller stops waiting (gRPC: the call's deadline; HTTP: none).
  absl::Time deadline = absl::InfiniteFuture();
  // Set by a transport that rations answers per caller (unread gRPC
  // answers per token): runs when the handler has answered OK, before the
  // call is reported; a non-OK status replaces the answer, and is what
  // metrics and the access log record. Empty: none.
  std::function<absl::Status(const Principal&)> hold_answer;
};

}  // namespace sessions

#endif  // SERVICE_CALL_CONTEXT_H_
