#include "storage/session_writes.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

// Deeper than any breadcrumb the validator accepts (32 levels): a longer
// walk is a cycle in the directory.
constexpr int kMaxDirectoryDepth = 64;

// The session's customer path: breadcrumb ids (non-empty), root first,
// then its customer_id unless it already ends the breadcrumb.
std::vector<std::string> ClaimedPath(const SessionInfo& session) {
  std::vector<std::string> path;
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (!crumb.id().empty()) path.push_back(crumb.id());
  }
  if (!session.customer_id().empty() && (path.empty() || path.back() != session.customer_id())) {
    path.push_back(session.customer_id());
  }
  return path;
}

// An account-level writer's session states the tree: each entry's parent is
// the entry before it.
absl::Status RecordPath(SessionWriteTarget& target, const std::string& account_id,
                        const std::vector<std::string>& path) {
  // A path naming a customer twice is no path in a tree (it would make a
  // cycle): it teaches nothing.
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& id : path) {
    if (!seen.insert(id).second) return absl::OkStatus();
  }
  std::vector<CustomerParent> entries;
  entries.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    entries.push_back(CustomerParent{path[i], i == 0 ? std::string() : path[i - 1]});
  }
  return target.WriteParents(account_id, entries);
}

absl::Status OutsideRestriction() {
  return absl::PermissionDeniedError(
      "customer_id: outside the customer this token is restricted to");
}

// A restricted writer's session: its customer must be known, below (or at)
// `restricted_to`, and the session's path must be the directory's.
absl::Status CheckRestrictedPath(CustomerDirectoryReader& directory, const SessionInfo& session,
                                 const std::string& restricted_to) {
  const std::vector<std::string> claimed = ClaimedPath(session);
  if (claimed.empty()) return OutsideRestriction();
  absl::StatusOr<std::vector<std::string>> known =
      DirectoryPath(directory, session.account_id(), claimed.back());
  if (absl::IsNotFound(known.status())) return OutsideRestriction();
  if (!known.ok()) return known.status();
  if (std::find(known->begin(), known->end(), restricted_to) == known->end()) {
    return OutsideRestriction();
  }
  if (claimed != *known) {
    return FieldError("customer_breadcrumb",
                      absl::StrCat("does not match the account's customer directory (expected ",
                                   absl::StrJoin(known->begin(), known->end() - 1, ", "), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SessionKeys> KeysOf(const SessionInfo& session, const std::string& field_prefix) {
  if (session.account_id().empty()) {
    return FieldError(absl::StrCat(field_prefix, "account_id"), "required");
  }
  if (session.id().empty()) {
    return FieldError(absl::StrCat(field_prefix, "id"), "required");
  }
  SessionKeys keys;
  absl::StatusOr<absl::Time> created = ParseIsoTime(session.date_created());
  if (!created.ok()) {
    return FieldError(absl::StrCat(field_prefix, "date_created"), created.status().message());
  }
  keys.created_us = ToUnixMicrosSaturated(*created);
  keys.modified_us = std::numeric_limits<int64_t>::min();
  if (!session.date_last_modified().empty()) {
    absl::StatusOr<absl::Time> modified = ParseIsoTime(session.date_last_modified());
    if (!modified.ok()) {
      return FieldError(absl::StrCat(field_prefix, "date_last_modified"),
                        modified.status().message());
    }
    keys.modified_us = ToUnixMicrosSaturated(*modified);
  }
  return keys;
}

absl::StatusOr<std::vector<SessionRow>> PrepareRows(absl::Span<const SessionInfo> sessions) {
  std::vector<SessionRow> rows(sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    absl::StatusOr<SessionKeys> keys = KeysOf(sessions[i], absl::StrCat("sessions[", i, "]."));
    if (!keys.ok()) return keys.status();
    rows[i].session = &sessions[i];
    rows[i].keys = *keys;
    sessions[i].SerializeToString(&rows[i].data);
  }
  return rows;
}

std::vector<absl::string_view> ListedCustomers(const SessionInfo& session) {
  std::vector<absl::string_view> listed;
  if (session.ended()) return listed;
  listed.reserve(1 + session.customer_breadcrumb_size());
  if (!session.customer_id().empty()) listed.push_back(session.customer_id());
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (!crumb.id().empty()) listed.push_back(crumb.id());
  }
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
  return listed;
}

bool ListingIsCurrent(const std::vector<absl::string_view>& listed, int64_t created_us,
                      const std::vector<ListingEntry>& stored) {
  // Stored entries are unique by primary key; `listed` is sorted and unique.
  if (stored.size() != listed.size()) return false;
  for (const ListingEntry& entry : stored) {
    if (entry.created_us != created_us ||
        !std::binary_search(listed.begin(), listed.end(), absl::string_view(entry.customer_id))) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> DirectoryPath(CustomerDirectoryReader& directory,
                                                       const std::string& account_id,
                                                       const std::string& customer_id) {
  std::vector<std::string> path{customer_id};
  for (int depth = 0; depth < kMaxDirectoryDepth; ++depth) {
    ASSIGN_OR_RETURN(std::optional<std::string> parent,
                     directory.ParentOf(account_id, path.back()));
    if (!parent.has_value()) {
      if (depth == 0) return absl::NotFoundError("customer not in the directory");
      // A parent the directory never got a row for: the path starts there.
      break;
    }
    if (parent->empty()) break;
    path.push_back(*std::move(parent));
  }
  if (path.size() > static_cast<size_t>(kMaxDirectoryDepth)) {
    return absl::InternalError("storage: the customer directory has a cycle");
  }
  std::reverse(path.begin(), path.end());
  return path;
}

absl::StatusOr<UpsertResult> UpsertRows(SessionWriteTarget& target,
                                        absl::Span<const SessionRow> rows,
                                        const SessionStore::UpsertAuthority& authority) {
  UpsertResult result;
  const SessionStore::StoredCheck& check = authority.check_stored;
  const bool trusted = authority.restricted_to_customer.empty();
  for (const SessionRow& row : rows) {
    if (!trusted) {
      RETURN_IF_ERROR(CheckRestrictedPath(target, *row.session, authority.restricted_to_customer));
    }
    if (check) {
      absl::StatusOr<SessionInfo> stored =
          target.ReadStored(row.session->account_id(), row.session->id());
      if (stored.ok()) {
        RETURN_IF_ERROR(check(*stored));
      } else if (!absl::IsNotFound(stored.status())) {
        return stored.status();  // unreadable: the check fails closed
      }
    }
    ASSIGN_OR_RETURN(const int64_t revision, target.WriteRow(row, /*unless_stale=*/true));
    if (revision == 0) {
      ++result.stale;
      continue;
    }
    ++result.applied;
    result.revision = revision;
    // Only what is written states the tree: a stale write is an older state
    // of it.
    if (trusted)
      RETURN_IF_ERROR(RecordPath(target, row.session->account_id(), ClaimedPath(*row.session)));
  }
  return result;
}

absl::StatusOr<int64_t> UpdateRow(SessionWriteTarget& target, const std::string& account_id,
                                  const std::string& session_id,
                                  const std::function<absl::Status(SessionInfo*)>& mutate) {
  ASSIGN_OR_RETURN(SessionInfo session, target.ReadStored(account_id, session_id));
  RETURN_IF_ERROR(mutate(&session));
  if (session.account_id() != account_id || session.id() != session_id) {
    return absl::InvalidArgumentError("an update must not change account_id or id");
  }
  ASSIGN_OR_RETURN(const SessionKeys keys, KeysOf(session, ""));
  const SessionRow row{&session, keys, session.SerializeAsString()};
  return target.WriteRow(row, /*unless_stale=*/false);
}

absl::Status SetCustomerParentEntry(SessionWriteTarget& target, const std::string& account_id,
                                    const std::string& customer_id, const std::string& parent_id) {
  if (account_id.empty()) return FieldError("account_id", "required");
  if (customer_id.empty()) return FieldError("customer_id", "required");
  if (parent_id == customer_id) {
    return FieldError("parent_id", "a customer cannot be its own parent");
  }
  if (!parent_id.empty()) {
    absl::StatusOr<std::vector<std::string>> above = DirectoryPath(target, account_id, parent_id);
    if (!above.ok() && !absl::IsNotFound(above.status())) return above.status();
    if (above.ok() && std::find(above->begin(), above->end(), customer_id) != above->end()) {
      return FieldError("parent_id", "is below the customer (that would make a cycle)");
    }
  }
  const CustomerParent entry{customer_id, parent_id};
  return target.WriteParents(account_id, absl::MakeConstSpan(&entry, 1));
}

}  // namespace sessions
