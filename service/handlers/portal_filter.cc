#include "service/handlers/portal_filter.h"

#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "service/auth/authorization.h"

namespace sessions {

absl::StatusOr<PortalFilter> ResolvePortalFilter(const Principal& principal,
                                                 const std::string& account_id,
                                                 const std::string& customer_id,
                                                 const std::string& start_date) {
  PortalFilter filter;
  ASSIGN_OR_RETURN(filter.account_id, auth::ResolveAccount(principal, account_id));
  filter.customer_id = customer_id.empty() ? principal.customer_id : customer_id;
  if (!start_date.empty()) {
    absl::StatusOr<absl::Time> start = ParseIsoTime(start_date);
    if (!start.ok()) {
      return FieldError("start_date",
                        "expected an ISO-8601 date or date-time, e.g. 2026-11-25 or "
                        "2026-11-25T10:00:00Z");
    }
    filter.created_from = *start;
  }
  return filter;
}

}  // namespace sessions
