#include "service/auth/authorization.h"

#include <string>
#include <string_view>

#include "common/field_error.h"

namespace sessions::auth {

using ::voice::api::sessions::v1::SessionInfo;

absl::StatusOr<std::string> ResolveAccount(const Principal& principal,
                                           std::string_view requested_account_id) {
  if (principal.account_id.empty()) {
    return absl::PermissionDeniedError("account_id: the token has no account");
  }
  if (requested_account_id.empty() || requested_account_id == principal.account_id) {
    return principal.account_id;
  }
  if (principal.IsAdmin()) return std::string(requested_account_id);
  return absl::PermissionDeniedError("account_id: the token may not access other accounts");
}

bool InCustomerSubtree(const SessionInfo& session, std::string_view customer_id) {
  if (customer_id.empty()) return true;
  if (session.customer_id() == customer_id) return true;
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (crumb.id() == customer_id) return true;
  }
  return false;
}

absl::Status CheckWriteAccess(const Principal& principal, const SessionInfo& session) {
  if (!principal.Has(Scope::kSessionsWrite)) {
    return absl::PermissionDeniedError("the token lacks the sessions:write scope");
  }
  if (session.account_id().empty()) {
    return FieldError("account_id", "required");
  }
  if (session.account_id() != principal.account_id && !principal.IsAdmin()) {
    return absl::PermissionDeniedError("account_id: the token may not write other accounts");
  }
  if (!InCustomerSubtree(session, principal.customer_id)) {
    return absl::PermissionDeniedError(
        "customer_id: the session is outside the token's customer restriction");
  }
  return absl::OkStatus();
}

}  // namespace sessions::auth
