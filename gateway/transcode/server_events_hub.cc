#include "gateway/transcode/server_events_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/field_error.h"
#include "openssl/rand.h"

namespace sessions::gateway {
namespace {

constexpr size_t kMaxChannelBytes = 256;
constexpr int kSubscriptionIdBytes = 16;

bool IsChannelName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxChannelBytes) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return c == '@' || absl::ascii_isspace(u) || absl::ascii_iscntrl(u);
  });
}

}  // namespace

absl::StatusOr<std::vector<ServerEventsChannel>> ParseServerEventsChannels(const QueryParams& query,
                                                                           int max_channels) {
  std::vector<ServerEventsChannel> channels;
  for (const auto& [key, value] : query) {
    if (!absl::EqualsIgnoreCase(key, "channels") && !absl::EqualsIgnoreCase(key, "channel")) {
      continue;
    }
    for (absl::string_view name : absl::StrSplit(value, ',')) {
      if (!IsChannelName(name)) {
        return FieldError("channels",
                          "expected comma-separated channels, each an account id or "
                          "\"<account id>/<customer id>\" without '@' or spaces");
      }
      if (std::any_of(channels.begin(), channels.end(),
                      [&](const ServerEventsChannel& c) { return c.name == name; })) {
        continue;
      }
      if (static_cast<int>(channels.size()) == max_channels) {
        return FieldError("channels", absl::StrCat("at most ", max_channels, " channels"));
      }
      ServerEventsChannel channel;
      channel.name = std::string(name);
      std::pair<absl::string_view, absl::string_view> parts =
          absl::StrSplit(name, absl::MaxSplits('/', 1));
      if (parts.first.empty() || (absl::StrContains(name, '/') && parts.second.empty())) {
        return FieldError("channels",
                          "expected \"<account id>\" or \"<account id>/<customer id>\"");
      }
      channel.account_id = std::string(parts.first == "*" ? "" : parts.first);
      channel.customer_id = std::string(parts.second);
      channels.push_back(std::move(channel));
    }
  }
  if (channels.empty()) channels.push_back(ServerEventsChannel{"*", "", ""});
  return channels;
}

ServerEventsHub::ServerEventsHub(const ServerEventsOptions& options)
    : options_(options), registry_(std::make_shared<Registry>()) {
  housekeeping_.emplace("server-events", [this] { Housekeeping(); });
}

ServerEventsHub::~ServerEventsHub() {
  {
    absl::MutexLock lock(&registry_->mu);
    registry_->stopping = true;
  }
  housekeeping_.reset();
}

absl::StatusOr<std::string> ServerEventsHub::NewSubscriptionId() {
  unsigned char raw[kSubscriptionIdBytes];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return absl::InternalError("the random generator failed");
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(raw), sizeof(raw)));
}

void ServerEventsHub::Add(const std::shared_ptr<ServerEventsSubscription>& subscription) {
  absl::MutexLock lock(&registry_->mu);
  registry_->by_id[subscription->id()] = subscription;
}

std::function<void()> ServerEventsHub::Forgetter(const std::string& id) const {
  return [registry = registry_, id] {
    absl::MutexLock lock(&registry->mu);
    registry->by_id.erase(id);
  };
}

std::shared_ptr<ServerEventsSubscription> ServerEventsHub::Find(const std::string& id) const {
  absl::MutexLock lock(&registry_->mu);
  auto it = registry_->by_id.find(id);
  return it == registry_->by_id.end() ? nullptr : it->second.lock();
}

bool ServerEventsHub::Pulse(const std::string& id) {
  std::shared_ptr<ServerEventsSubscription> subscription = Find(id);
  if (subscription == nullptr) return false;
  subscription->Pulse(absl::Now());
  return true;
}

std::optional<std::string> ServerEventsHub::Unregister(const std::string& id) {
  std::shared_ptr<ServerEventsSubscription> subscription = Find(id);
  if (subscription == nullptr) return std::nullopt;
  Forgetter(id)();
  subscription->Close(absl::CancelledError("unregistered"));
  return subscription->meta_json();
}

void ServerEventsHub::Housekeeping() {
  // Often enough that an idle subscription ends within a quarter of the
  // timeout after it expired.
  const absl::Duration period =
      std::clamp(options_.idle_timeout / 4, absl::Milliseconds(50), absl::Seconds(5));
  std::vector<std::shared_ptr<ServerEventsSubscription>> expired;
  while (true) {
    {
      absl::MutexLock lock(&registry_->mu);
      registry_->mu.AwaitWithTimeout(absl::Condition(&registry_->stopping), period);
      if (registry_->stopping) return;
      const absl::Time now = absl::Now();
      for (auto it = registry_->by_id.begin(); it != registry_->by_id.end();) {
        std::shared_ptr<ServerEventsSubscription> subscription = it->second.lock();
        if (subscription != nullptr && now - subscription->last_pulse() <= options_.idle_timeout) {
          ++it;
          continue;
        }
        if (subscription != nullptr) expired.push_back(std::move(subscription));
        registry_->by_id.erase(it++);
      }
    }
    // Outside the lock: dropping the last reference ends the subscription,
    // which forgets it (taking the lock).
    for (const auto& subscription : expired) {
      subscription->Close(absl::DeadlineExceededError(
          "no heartbeat within the idle timeout: the subscription is closed"));
    }
    expired.clear();
  }
}

}  // namespace sessions::gateway
