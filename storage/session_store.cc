#include "storage/session_store.h"

#include <algorithm>

#include "common/iso_time.h"

namespace sessions {

ActiveSessionsQuery::MicrosBounds ActiveSessionsQuery::Bounds() const {
  const int64_t cursor_us =
      ToUnixMicrosSaturated(after_id.empty() ? absl::InfinitePast() : after_created);
  return MicrosBounds{std::max(ToUnixMicrosSaturated(created_at_or_after), cursor_us), cursor_us};
}

}  // namespace sessions
