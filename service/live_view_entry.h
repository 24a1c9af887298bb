// What the live view holds per active session (ViewEntry), shared with the
// watches that send it: immutable once built, so a reader keeps a pointer
// while the view moves on.
#ifndef SERVICE_LIVE_VIEW_ENTRY_H_
#define SERVICE_LIVE_VIEW_ENTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/encoded_message.h"
#include "storage/session_store.h"

namespace sessions {

// One active session as the view holds it: its stored bytes (`data`) and
// their cached renderings (EncodedMessage), with what the view indexes it
// by. Immutable once published (renderings aside, which are thread-safe),
// so readers may keep a pointer after the view has moved on.
struct ViewEntry : EncodedMessage {
  std::string account_id;
  std::string id;
  int64_t created_us = 0;  // date_created, Unix microseconds (saturated)
  // customer_id and every breadcrumb id: sorted, unique, non-empty.
  std::vector<std::string> customer_path;
  int64_t revision = 0;

  // Whether the session is in `customer`'s subtree (the portal's filter).
  bool InCustomerSubtree(absl::string_view customer) const;
};
using ViewEntryPtr = std::shared_ptr<const ViewEntry>;

// Parses a feed entry into a view entry (none for an ended session) whose
// renderings are cached in `budget` (none: not cached). INTERNAL if the
// bytes do not parse.
absl::StatusOr<ViewEntryPtr> MakeViewEntry(const SessionChange& change,
                                           std::shared_ptr<RenderingBudget> budget = nullptr);

// As MakeViewEntry, but ended sessions get an entry too (their last state:
// which account and customers they belonged to).
absl::StatusOr<ViewEntryPtr> MakeLastStateEntry(const SessionChange& change,
                                                std::shared_ptr<RenderingBudget> budget = nullptr);

}  // namespace sessions

#endif  // SERVICE_LIVE_VIEW_ENTRY_H_
