#include "service/handlers/watch_handler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "service/handlers/portal_filter.h"

namespace sessions {

using ::voice::api::app::portal::v1::WatchActiveSessionsRequest;

// The view's watch, counted against the limits until the transport is done.
class WatchHandler::CountedStream final : public EventStream {
 public:
  CountedStream(WatchHandler* handler, std::string token_id, std::shared_ptr<EventStream> watch)
      : handler_(handler), token_id_(std::move(token_id)), watch_(std::move(watch)) {}
  ~CountedStream() override { Cancel(); }

  Next Pop(google::protobuf::Message* out, absl::Status* end) override {
    return watch_->Pop(out, end);
  }
  void SetWakeup(std::function<void()> wake) override { watch_->SetWakeup(std::move(wake)); }
  void Cancel() override {
    watch_->Cancel();
    if (!released_.exchange(true)) handler_->Release(token_id_);
  }

 private:
  WatchHandler* const handler_;
  const std::string token_id_;
  const std::shared_ptr<EventStream> watch_;
  std::atomic<bool> released_{false};
};

absl::StatusOr<std::shared_ptr<EventStream>> WatchHandler::Watch(
    const CallContext& context, const WatchActiveSessionsRequest& request) {
  ASSIGN_OR_RETURN(PortalFilter portal,
                   ResolvePortalFilter(context.principal, request.account_id(),
                                       request.customer_id(), request.start_date()));
  WatchFilter filter;
  filter.account_id = std::move(portal.account_id);
  filter.customer_id = std::move(portal.customer_id);
  // A restricted token sees its subtree only, whatever customer it asks for.
  filter.restrict_to = context.principal.customer_id;
  filter.created_from_us = ToUnixMicrosSaturated(portal.created_from);

  const std::string& token = context.principal.token_id;
  {
    absl::MutexLock lock(&mu_);
    if (open_ >= limits_.max_watches) {
      return absl::ResourceExhaustedError("watch: the server has as many watches as it takes");
    }
    int& by_token = open_by_token_[token];
    if (by_token >= limits_.max_watches_per_token) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "watch: this token already has ", limits_.max_watches_per_token, " open watches"));
    }
    ++by_token;
    ++open_;
  }
  absl::StatusOr<std::shared_ptr<sessions::Watch>> watch =
      view_->StartWatch(std::move(filter), request.start_revision(), limits_.stream);
  if (!watch.ok()) {
    Release(token);
    return watch.status();
  }
  return std::shared_ptr<EventStream>(
      std::make_shared<CountedStream>(this, token, *std::move(watch)));
}

void WatchHandler::Release(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  --open_;
  auto it = open_by_token_.find(token_id);
  if (--it->second == 0) open_by_token_.erase(it);
}

void WatchHandler::RegisterIn(MethodTable* table) {
  table->RegisterStream<WatchActiveSessionsRequest>(
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "voice.api.app.portal.v1.PortalService.WatchActiveSessions"),
      Scope::kSessionsRead,
      [this](const CallContext& context, const auto& request) { return Watch(context, request); });
}

}  // namespace sessions
