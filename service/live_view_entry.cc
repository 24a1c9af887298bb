#include "service/live_view_entry.h"

#include <algorithm>
#include <utility>

#include "common/iso_time.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions {

bool ViewEntry::InCustomerSubtree(absl::string_view customer) const {
  return std::binary_search(customer_path.begin(), customer_path.end(), customer);
}

absl::StatusOr<ViewEntryPtr> MakeViewEntry(const SessionChange& change,
                                           std::shared_ptr<RenderingBudget> budget) {
  if (change.ended) return ViewEntryPtr();
  return MakeLastStateEntry(change, std::move(budget));
}

absl::StatusOr<ViewEntryPtr> MakeLastStateEntry(const SessionChange& change,
                                                std::shared_ptr<RenderingBudget> budget) {
  SessionInfo session;
  if (!session.ParseFromArray(change.data.data(), static_cast<int>(change.data.size()))) {
    return absl::InternalError("live view: a stored session is unreadable");
  }
  auto entry = std::make_shared<ViewEntry>();
  entry->account_id = std::string(change.account_id);
  entry->id = std::string(change.session_id);
  // The store accepted the date (it indexes it the same way).
  absl::StatusOr<absl::Time> created = ParseIsoTime(session.date_created());
  entry->created_us = ToUnixMicrosSaturated(created.ok() ? *created : absl::InfinitePast());
  // As the store's session_customers rows: the customer and its breadcrumb.
  if (!session.customer_id().empty()) entry->customer_path.push_back(session.customer_id());
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (!crumb.id().empty()) entry->customer_path.push_back(crumb.id());
  }
  std::sort(entry->customer_path.begin(), entry->customer_path.end());
  entry->customer_path.erase(std::unique(entry->customer_path.begin(), entry->customer_path.end()),
                             entry->customer_path.end());
  entry->data = std::string(change.data);
  entry->revision = change.revision;
  entry->set_rendering_budget(std::move(budget));
  return ViewEntryPtr(std::move(entry));
}

}  // namespace sessions
