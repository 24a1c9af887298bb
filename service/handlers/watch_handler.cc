#include "service/handlers/watch_handler.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "service/handlers/portal_filter.h"

namespace sessions {

using ::voice::api::app::portal::v1::WatchActiveSessionsRequest;

namespace {

// The one header a token re-check needs, kept by the stream (the call's own
// metadata may be gone by the time of a re-check).
class AuthorizationOnly final : public MetadataView {
 public:
  explicit AuthorizationOnly(std::string value) : value_(std::move(value)) {}
  std::optional<std::string_view> Get(std::string_view key) const override {
    if (key != "authorization") return std::nullopt;
    return std::string_view(value_);
  }

 private:
  const std::string value_;
};

size_t TransportIndex(Transport transport) { return transport == Transport::kGrpc ? 0 : 1; }

}  // namespace

// The view's watch, counted against the limits until the transport is done,
// with what a token re-check needs.
class WatchHandler::CountedStream final : public EventStream {
 public:
  CountedStream(WatchHandler* handler, const CallContext& context,
                std::shared_ptr<sessions::Watch> watch)
      : handler_(handler),
        token_id_(context.principal.token_id),
        transport_(context.transport),
        authorization_(std::string(context.metadata != nullptr
                                       ? context.metadata->Get("authorization").value_or("")
                                       : "")),
        watch_(std::move(watch)) {}
  ~CountedStream() override { Cancel(); }

  Next Pop(google::protobuf::Message* out, absl::Status* end) override {
    return watch_->Pop(out, end);
  }
  Next PopSerialized(std::string* out, absl::Status* end) override {
    return watch_->PopSerialized(out, end);
  }
  void SetWakeup(std::function<void()> wake) override { watch_->SetWakeup(std::move(wake)); }
  void Cancel() override {
    watch_->Cancel();
    if (!released_.exchange(true)) handler_->Release(token_id_, transport_);
  }

  const MetadataView& authorization() const { return authorization_; }
  sessions::Watch& watch() { return *watch_; }

 private:
  WatchHandler* const handler_;
  const std::string token_id_;
  const Transport transport_;
  const AuthorizationOnly authorization_;
  const std::shared_ptr<sessions::Watch> watch_;
  std::atomic<bool> released_{false};
};

WatchHandler::WatchHandler(LiveView* view, Authenticator* authenticator, WatchLimits limits)
    : view_(view), authenticator_(authenticator), limits_(limits) {
  if (limits_.token_recheck_interval > absl::ZeroDuration()) {
    recheck_thread_.emplace("watch-tokens", [this] { RecheckLoop(); });
  }
}

WatchHandler::~WatchHandler() { Stop(); }

void WatchHandler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (recheck_thread_) recheck_thread_->Join();
}

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
    if (open_by_transport_[0] + open_by_transport_[1] >= limits_.max_watches) {
      return absl::ResourceExhaustedError("watch: the server has as many watches as it takes");
    }
    int& by_token = open_by_token_[token];
    if (by_token >= limits_.max_watches_per_token) {
      if (by_token == 0) open_by_token_.erase(token);
      return absl::ResourceExhaustedError(absl::StrCat(
          "watch: this token already has ", limits_.max_watches_per_token, " open watches"));
    }
    ++by_token;
    ++open_by_transport_[TransportIndex(context.transport)];
  }
  absl::StatusOr<std::shared_ptr<sessions::Watch>> watch =
      view_->StartWatch(std::move(filter), request.start_revision(), limits_.stream);
  if (!watch.ok()) {
    Release(token, context.transport);
    return watch.status();
  }
  auto stream = std::make_shared<CountedStream>(this, context, *std::move(watch));
  absl::MutexLock lock(&mu_);
  streams_.push_back(stream);
  return std::shared_ptr<EventStream>(std::move(stream));
}

void WatchHandler::Release(const std::string& token_id, Transport transport) {
  absl::MutexLock lock(&mu_);
  --open_by_transport_[TransportIndex(transport)];
  auto it = open_by_token_.find(token_id);
  if (--it->second == 0) open_by_token_.erase(it);
}

int WatchHandler::OpenStreams(Transport transport) const {
  absl::MutexLock lock(&mu_);
  return open_by_transport_[TransportIndex(transport)];
}

void WatchHandler::RecheckTokens() {
  // Destroyed after the lock is released: a stream whose last owner let go
  // meanwhile is destroyed here, and its destructor takes mu_ (Release).
  std::vector<std::shared_ptr<CountedStream>> open;
  std::vector<std::shared_ptr<CountedStream>> finished;
  {
    absl::MutexLock lock(&mu_);
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                  [&](const std::weak_ptr<CountedStream>& weak) {
                                    std::shared_ptr<CountedStream> stream = weak.lock();
                                    if (stream == nullptr) return true;
                                    const bool done = stream->watch().Finished();
                                    (done ? finished : open).push_back(std::move(stream));
                                    return done;
                                  }),
                   streams_.end());
  }
  // Outside the lock: authentication reads the token store.
  for (const auto& stream : open) {
    absl::StatusOr<Principal> principal = authenticator_->Authenticate(&stream->authorization());
    if (principal.ok() && principal->Has(Scope::kSessionsRead)) continue;
    if (stream->watch().End(
            absl::UnauthenticatedError("watch: the token was revoked or has expired"))) {
      stream->watch().Wake();
    }
  }
}

void WatchHandler::RecheckLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), limits_.token_recheck_interval);
      if (stopping_) return;
    }
    RecheckTokens();
  }
}

void WatchHandler::RegisterIn(MethodTable* table) {
  table->RegisterStream<WatchActiveSessionsRequest>(
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "voice.api.app.portal.v1.PortalService.WatchActiveSessions"),
      Scope::kSessionsRead,
      [this](const CallContext& context, const auto& request) { return Watch(context, request); });
}

}  // namespace sessions
