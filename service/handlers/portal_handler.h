// Core handler of voice.api.app.portal.v1.PortalService: the transport-free
// logic of GetActiveSessions (validation, tenant rules, paging) over the
// live view. Registered in the method table; the gRPC adapter and the
// REST gateway both reach it through MethodTable::Invoke().
#ifndef SERVICE_HANDLERS_PORTAL_HANDLER_H_
#define SERVICE_HANDLERS_PORTAL_HANDLER_H_

#include "absl/status/status.h"
#include "service/call_context.h"
#include "service/encoded_response.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {

// Thread-safe; holds no per-call state.
class PortalHandler {
 public:
  // Largest page a gRPC call returns; REST calls without page_size return
  // everything, as the original endpoint did.
  static constexpr int kMaxPageSize = 1000;
  // gRPC answers stay below the 4 MiB default receive limit of clients.
  static constexpr size_t kMaxGrpcResponseBytes = 3 * 1024 * 1024 + 512 * 1024;

  // Longest wait for min_revision when the call has no earlier deadline.
  static constexpr absl::Duration kMaxRevisionWait = absl::Seconds(60);

  // `view` is not owned and must outlive the handler.
  explicit PortalHandler(LiveView* view) : view_(view) {}

  // Lists active sessions for the caller (context.principal) into
  // `response` (its message a GetActiveSessionsResponse; the sessions as
  // the view's entries, parsed by no one) and calls `done` with the
  // outcome: before returning when the request has no min_revision, else
  // once the view has it (on the view's thread). The arguments must stay
  // alive until `done` runs. Errors: INVALID_ARGUMENT naming start_date /
  // page_size / page_token / min_revision, PERMISSION_DENIED naming
  // account_id / customer_id, DEADLINE_EXCEEDED (min_revision not reached
  // in time).
  void GetActiveSessions(const CallContext& context,
                         const voice::api::app::portal::v1::GetActiveSessionsRequest& request,
                         EncodedResponse* response, DoneCallback done);

  // Registers the portal methods in `table`.
  void RegisterIn(MethodTable* table);

 private:
  // Lists `query` from the view into `response`, with the tenant check and
  // the page trim.
  absl::Status Answer(const CallContext& context, const ActiveSessionsQuery& query,
                      EncodedResponse* response) const;

  LiveView* view_;
};

}  // namespace sessions

#endif  // SERVICE_HANDLERS_PORTAL_HANDLER_H_
