// Turns a call's credentials into a Principal. The method-table wrapper
// calls it for every method on every transport (see method_table.h).
#ifndef SERVICE_AUTHENTICATOR_H_
#define SERVICE_AUTHENTICATOR_H_

#include "absl/status/statusor.h"
#include "service/call_context.h"
#include "service/principal.h"

namespace sessions {

// Interface: implementations must be thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Returns the caller behind the `authorization: Bearer <token>` metadata.
  // Every failure (missing, malformed, unknown, expired, revoked) returns
  // UNAUTHENTICATED with one and the same message, so a caller cannot tell
  // which check failed. Never logs or returns the token.
  virtual absl::StatusOr<Principal> Authenticate(const MetadataView* metadata) = 0;
};

}  // namespace sessions

#endif  // SERVICE_AUTHENTICATOR_H_
