// Core handler of PortalService.WatchActiveSessions: resolves the request's
// filters and the caller's tenant rules exactly as GetActiveSessions does
// (PortalFilter), enforces the watch limits, and opens a watch on the live
// view. The transports drain the returned stream (EventStream).
//
// Tokens are checked again while streams stay open: every
// `token_recheck_interval`, each open stream's token is authenticated anew,
// and a stream whose token was revoked or expired (or lost the read scope)
// ends with UNAUTHENTICATED.
#ifndef SERVICE_HANDLERS_WATCH_HANDLER_H_
#define SERVICE_HANDLERS_WATCH_HANDLER_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/worker_thread.h"
#include "service/authenticator.h"
#include "service/call_context.h"
#include "service/event_stream.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {

struct WatchLimits {
  int max_watches = 10000;          // open streams, all tokens together
  int max_watches_per_token = 100;  // open streams of one token
  // How often open streams' tokens are authenticated again; zero: never.
  absl::Duration token_recheck_interval = absl::Seconds(30);
  WatchOptions stream;  // per-stream bounds, bookmarks, lifetime
};

// Thread-safe.
class WatchHandler {
 public:
  // `view` and `authenticator` are not owned and must outlive the handler;
  // streams must be cancelled (by their transports) before it is destroyed.
  WatchHandler(LiveView* view, Authenticator* authenticator, WatchLimits limits);
  // Calls Stop().
  ~WatchHandler();

  WatchHandler(const WatchHandler&) = delete;
  WatchHandler& operator=(const WatchHandler&) = delete;

  // Errors: those of GetActiveSessions' filters, INVALID_ARGUMENT naming
  // start_revision, OUT_OF_RANGE (below the compaction horizon),
  // RESOURCE_EXHAUSTED (a watch limit).
  absl::StatusOr<std::shared_ptr<EventStream>> Watch(
      const CallContext& context,
      const voice::api::app::portal::v1::WatchActiveSessionsRequest& request);

  void RegisterIn(MethodTable* table);

  // Open streams by transport (metrics).
  int OpenStreams(Transport transport) const;

  // Stops the token re-check thread (before the token store closes).
  // Idempotent.
  void Stop();

 private:
  class CountedStream;
  // One token re-check pass over the open streams.
  void RecheckTokens();
  void Release(const std::string& token_id, Transport transport);
  void RecheckLoop();

  LiveView* const view_;
  Authenticator* const authenticator_;
  const WatchLimits limits_;

  mutable absl::Mutex mu_;
  std::array<int, 2> open_by_transport_ ABSL_GUARDED_BY(mu_) = {0, 0};
  absl::flat_hash_map<std::string, int> open_by_token_ ABSL_GUARDED_BY(mu_);
  std::vector<std::weak_ptr<CountedStream>> streams_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<WorkerThread> recheck_thread_;
};

}  // namespace sessions

#endif  // SERVICE_HANDLERS_WATCH_HANDLER_H_
