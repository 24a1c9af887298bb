// Core handler of PortalService.WatchActiveSessions: resolves the request's
// filters and the caller's tenant rules exactly as GetActiveSessions does
// (PortalFilter), enforces the watch limits, and opens a watch on the live
// view. The transports drain the returned stream (EventStream).
#ifndef SERVICE_HANDLERS_WATCH_HANDLER_H_
#define SERVICE_HANDLERS_WATCH_HANDLER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/call_context.h"
#include "service/event_stream.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {

struct WatchLimits {
  int max_watches = 10000;          // open streams, all tokens together
  int max_watches_per_token = 100;  // open streams of one token
  WatchOptions stream;              // per-stream bounds and bookmarks
};

// Thread-safe.
class WatchHandler {
 public:
  // `view` is not owned and must outlive the handler and every stream.
  WatchHandler(LiveView* view, WatchLimits limits) : view_(view), limits_(limits) {}

  // Errors: those of GetActiveSessions' filters, INVALID_ARGUMENT naming
  // start_revision, OUT_OF_RANGE (below the compaction horizon),
  // RESOURCE_EXHAUSTED (a watch limit).
  absl::StatusOr<std::shared_ptr<EventStream>> Watch(
      const CallContext& context,
      const voice::api::app::portal::v1::WatchActiveSessionsRequest& request);

  void RegisterIn(MethodTable* table);

 private:
  class CountedStream;
  void Release(const std::string& token_id);

  LiveView* const view_;
  const WatchLimits limits_;
  absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int> open_by_token_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions

#endif  // SERVICE_HANDLERS_WATCH_HANDLER_H_
