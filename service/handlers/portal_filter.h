// The filters the portal's reads share (GetActiveSessions and
// WatchActiveSessions): which account, which customer subtree, which
// creation dates, resolved against the caller's token. One implementation,
// so that a list and a watch with the same request see the same sessions.
#ifndef SERVICE_HANDLERS_PORTAL_FILTER_H_
#define SERVICE_HANDLERS_PORTAL_FILTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/principal.h"

namespace sessions {

struct PortalFilter {
  std::string account_id;   // the caller's own when the request leaves it empty
  std::string customer_id;  // the token's restriction when the request leaves it empty
  absl::Time created_from = absl::InfinitePast();
};

// Errors: PERMISSION_DENIED naming account_id (another tenant without an
// admin token), INVALID_ARGUMENT naming start_date.
absl::StatusOr<PortalFilter> ResolvePortalFilter(const Principal& principal,
                                                 const std::string& account_id,
                                                 const std::string& customer_id,
                                                 const std::string& start_date);

}  // namespace sessions

#endif  // SERVICE_HANDLERS_PORTAL_FILTER_H_
