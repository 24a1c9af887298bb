// The tenant rules of DESIGN.md as pure functions of the caller (Principal)
// and the data: which account a call acts on, which customers' sessions it
// may read, and which sessions it may write. Handlers call them after the
// method-table wrapper has authenticated the caller and checked the
// method's scope.
//
// The rules:
// 1. Account. An empty `account_id` in a request means the caller's own
//    account. Another account than the token's -> PERMISSION_DENIED, unless
//    the token has the `admin` scope.
// 2. Customer subtree. A session is in the subtree of customer X when its
//    `customer_id` is X or X is the id of one of its `customer_breadcrumb`
//    entries. An empty X means "no restriction" (every session matches).
// 3. Reads. A token restricted to customer C (TokenRecord::customer_id)
//    sees only sessions in the subtree of C, whatever it asks for; a
//    request's `customer_id` R narrows further. A session is returned iff
//    it is in subtree(C) AND in subtree(R). Customer trees nest, so:
//      R empty or R == C   -> subtree(C)
//      R below C           -> subtree(R)
//      R above C           -> subtree(C)   (never more than the token's)
//      R unrelated to C    -> nothing (an empty answer, not an error, so a
//                             restricted token cannot probe which customer
//                             ids exist elsewhere)
//    Unrestricted tokens: subtree(R), or everything when R is empty.
//    Reads carry both ids to the data (ActiveSessionsQuery::customer_id and
//    within_customer_id; WatchFilter::customer_id and restrict_to), which
//    applies both.
// 4. Writes (ingest). Need `sessions:write` (admin implies it) and the
//    session's account must be the token's (unless admin). A
//    customer-restricted token may write only sessions inside its subtree.
//    When a write replaces or modifies a stored session, check the stored
//    session too, so a restricted token can neither modify a session
//    outside its subtree nor move one out of it.
// The customer restriction applies to admin tokens too: it is an explicit
// narrowing chosen when the token was created.
//
// PERMISSION_DENIED messages name the field (account_id, customer_id) but
// never echo other tenants' data.
//
// Thread-safety: pure functions, thread-safe.
#ifndef SERVICE_AUTH_AUTHORIZATION_H_
#define SERVICE_AUTH_AUTHORIZATION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/principal.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::auth {

// Returns the account a call acts on: the caller's own when
// `requested_account_id` is empty or equal to it; another account only for
// admin tokens. PERMISSION_DENIED (naming account_id) otherwise, or when the
// principal has no account.
absl::StatusOr<std::string> ResolveAccount(const Principal& principal,
                                           std::string_view requested_account_id);

// Returns whether `session` is in the subtree of `customer_id` (rule 2): its
// customer_id equals it or one of its breadcrumb ids does. An empty
// `customer_id` matches every session.
bool InCustomerSubtree(const voice::api::sessions::v1::SessionInfo& session,
                       std::string_view customer_id);

// Checks that `principal` may write `session` (rule 4), whose account_id
// the caller has already resolved (see ResolveAccount). Errors, all
// PERMISSION_DENIED: missing sessions:write scope; session account_id not
// the token's (non-admin); session outside the token's customer subtree
// (message names customer_id). INVALID_ARGUMENT if session.account_id is
// empty.
absl::Status CheckWriteAccess(const Principal& principal,
                              const voice::api::sessions::v1::SessionInfo& session);

}  // namespace sessions::auth

#endif  // SERVICE_AUTH_AUTHORIZATION_H_
