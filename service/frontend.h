// A transport front end started by the Server next to gRPC (the REST
// gateway). Declared here so the Server owns and stops it without depending
// on the gateway package (dependency direction service <- gateway); the
// binary's main() supplies the factory.
#ifndef SERVICE_FRONTEND_H_
#define SERVICE_FRONTEND_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/method_table.h"
#include "service/server_metrics.h"

namespace sessions {

class Frontend {
 public:
  virtual ~Frontend() = default;
  // The bound port (useful when the address asked for port 0).
  virtual int port() const = 0;
  // Stops accepting new requests and waits until in-flight ones finish or
  // `deadline` passes, then closes every connection.
  virtual void Shutdown(absl::Time deadline) = 0;
};

// What a front end may use; pointers are not owned and outlive the front end.
struct FrontendEnvironment {
  const MethodTable* method_table = nullptr;
  ServerMetrics* metrics = nullptr;
  // True while the store is open and the server is not draining (/readyz).
  std::function<bool()> is_ready;
};

using FrontendFactory =
    std::function<absl::StatusOr<std::unique_ptr<Frontend>>(const FrontendEnvironment&)>;

}  // namespace sessions

#endif  // SERVICE_FRONTEND_H_
