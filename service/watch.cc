#include "service/watch.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {

using ::voice::api::app::portal::v1::WatchActiveSessionsResponse;
namespace portal = ::voice::api::app::portal::v1;

bool WatchFilter::Matches(const ViewEntry* entry) const {
  return entry != nullptr && entry->account_id == account_id &&
         entry->created_us >= created_from_us &&
         (customer_id.empty() || entry->InCustomerSubtree(customer_id)) &&
         (restrict_to.empty() || entry->InCustomerSubtree(restrict_to));
}

bool WatchFilter::MayAnnounceRemoval(const ViewEntry& entry) const {
  return entry.account_id == account_id &&
         (restrict_to.empty() || entry.InCustomerSubtree(restrict_to));
}

Watch::Watch(WatchFilter filter, WatchOptions options, WatchCounters* counters,
             std::vector<ViewEntryPtr> snapshot, int64_t revision, bool resume, absl::Time now)
    : filter_(std::move(filter)),
      options_(options),
      counters_(counters),
      started_(now),
      snapshot_(std::move(snapshot)),
      floor_(revision),
      replaying_(resume),
      latest_revision_(revision),
      last_sent_revision_(revision),
      last_sent_(now) {}

bool Watch::Ready() const {
  if (cancelled_) return false;
  if (ended_) return true;
  if (snapshot_sent_ < snapshot_.size()) return true;
  if (replaying_) return false;
  return !synced_sent_ || !order_.empty() || bookmark_due_;
}

bool Watch::BecameReady(bool was_ready) { return !was_ready && Ready(); }

EventStream::Next Watch::Take(Event* event, absl::Status* end) {
  absl::MutexLock lock(&mu_);
  if (ended_ || cancelled_) {
    *end = ended_ ? end_ : absl::CancelledError("watch cancelled");
    return Next::kEnded;
  }
  if (snapshot_sent_ < snapshot_.size()) {
    event->type = portal::WATCH_EVENT_TYPE_SNAPSHOT;
    event->revision = floor_;
    const size_t chunk_end =
        std::min(snapshot_.size(), snapshot_sent_ + static_cast<size_t>(options_.snapshot_chunk));
    for (; snapshot_sent_ < chunk_end; ++snapshot_sent_) {
      // Moved out: once sent, the view alone keeps the entry alive.
      event->sessions.push_back(std::move(snapshot_[snapshot_sent_]));
    }
    if (snapshot_sent_ == snapshot_.size()) snapshot_.clear();
  } else if (replaying_) {
    return Next::kPending;
  } else if (!synced_sent_ && (order_.empty() || order_.begin()->first > floor_)) {
    event->type = portal::WATCH_EVENT_TYPE_SYNCED;
    event->revision = floor_;
    synced_sent_ = true;
  } else if (!order_.empty()) {
    auto first = order_.begin();
    auto pending = pending_.find(first->second);
    event->revision = first->first;
    if (pending->second.entry != nullptr) {
      event->type = portal::WATCH_EVENT_TYPE_UPSERT;
      event->sessions.push_back(std::move(pending->second.entry));
    } else {
      event->type = portal::WATCH_EVENT_TYPE_REMOVE;
      event->session_id = first->second;
    }
    pending_.erase(pending);
    order_.erase(first);
  } else if (bookmark_due_) {
    event->type = portal::WATCH_EVENT_TYPE_BOOKMARK;
    event->revision = std::max(latest_revision_, last_sent_revision_);
    bookmark_due_ = false;
    counters_->bookmarks_sent.fetch_add(1, std::memory_order_relaxed);
  } else {
    return Next::kPending;
  }
  last_sent_revision_ = std::max(last_sent_revision_, event->revision);
  counters_->events_sent.fetch_add(1, std::memory_order_relaxed);
  return Next::kMessage;
}

EventStream::Next Watch::Pop(google::protobuf::Message* out, absl::Status* end) {
  auto* message = static_cast<WatchActiveSessionsResponse*>(out);
  message->Clear();
  Event event;
  const Next next = Take(&event, end);
  if (next != Next::kMessage) return next;
  message->set_type(static_cast<portal::WatchEventType>(event.type));
  message->set_revision(event.revision);
  for (const ViewEntryPtr& session : event.sessions) {
    // The view's bytes parse (MakeViewEntry checked them).
    message->add_sessions()->ParseFromString(session->data);
  }
  message->set_session_id(std::move(event.session_id));
  return next;
}

EventStream::Next Watch::PopSerialized(std::string* out, absl::Status* end) {
  out->clear();
  Event event;
  const Next next = Take(&event, end);
  if (next != Next::kMessage) return next;
  // The message's wire form written directly: the sessions are the view's
  // stored bytes (a repeated message field is tag + length + bytes), so no
  // watcher parses or serializes a session. Fields in number order, zero
  // and empty ones omitted, as protobuf writes them.
  google::protobuf::io::StringOutputStream stream(out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  auto tag = [&](int field, int wire_type) {
    coded.WriteTag(static_cast<uint32_t>(field << 3 | wire_type));
  };
  constexpr int kVarint = 0, kLengthDelimited = 2;
  if (event.type != 0) {
    tag(WatchActiveSessionsResponse::kTypeFieldNumber, kVarint);
    coded.WriteVarint64(static_cast<uint64_t>(event.type));
  }
  if (event.revision != 0) {
    tag(WatchActiveSessionsResponse::kRevisionFieldNumber, kVarint);
    coded.WriteVarint64(static_cast<uint64_t>(event.revision));
  }
  for (const ViewEntryPtr& session : event.sessions) {
    tag(WatchActiveSessionsResponse::kSessionsFieldNumber, kLengthDelimited);
    coded.WriteVarint32(static_cast<uint32_t>(session->data.size()));
    coded.WriteRaw(session->data.data(), static_cast<int>(session->data.size()));
  }
  if (!event.session_id.empty()) {
    tag(WatchActiveSessionsResponse::kSessionIdFieldNumber, kLengthDelimited);
    coded.WriteVarint32(static_cast<uint32_t>(event.session_id.size()));
    coded.WriteString(event.session_id);
  }
  return next;
}

void Watch::SetWakeup(std::function<void()> wake) {
  absl::MutexLock lock(&wake_mu_);
  wake_ = std::move(wake);
}

void Watch::Cancel() {
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    snapshot_.clear();
    pending_.clear();
    order_.clear();
  }
  // Waits for a wake-up running right now; none starts after this.
  absl::MutexLock lock(&wake_mu_);
  wake_ = nullptr;
}

void Watch::Wake() {
  absl::MutexLock lock(&wake_mu_);
  if (wake_) wake_();
}

bool Watch::Finished() const {
  absl::MutexLock lock(&mu_);
  return cancelled_ || ended_;
}

bool Watch::Enqueue(absl::string_view session_id, int64_t revision, ViewEntryPtr entry) {
  auto [it, inserted] = pending_.try_emplace(session_id);
  if (!inserted) {
    if (it->second.revision >= revision) return true;  // already newer
    order_.erase({it->second.revision, it->first});
    counters_->coalesced.fetch_add(1, std::memory_order_relaxed);
  }
  it->second.revision = revision;
  it->second.entry = std::move(entry);
  order_.emplace(revision, it->first);
  if (static_cast<int>(pending_.size()) > options_.max_pending) {
    EndLocked(absl::ResourceExhaustedError(absl::StrCat(
        "watch: more than ", options_.max_pending,
        " sessions changed faster than this client read; resume from the last revision")));
    counters_->overflowed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void Watch::EndLocked(absl::Status status) {
  ended_ = true;
  end_ = std::move(status);
  pending_.clear();
  order_.clear();
  snapshot_.clear();
}

bool Watch::OnChange(int64_t revision, absl::string_view session_id, const ViewEntry* before,
                     const ViewEntryPtr& after) {
  absl::MutexLock lock(&mu_);
  if (ended_ || cancelled_ || revision <= floor_) return false;
  const bool was = filter_.Matches(before);
  const bool is = filter_.Matches(after.get());
  if (!was && !is) return false;
  const bool was_ready = Ready();
  Enqueue(session_id, revision, is ? after : nullptr);
  return BecameReady(was_ready);
}

bool Watch::OnRevision(int64_t revision, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (ended_ || cancelled_) return false;
  latest_revision_ = std::max(latest_revision_, revision);
  const bool was_ready = Ready();
  if (now - started_ >= options_.max_lifetime) {
    ended_ = true;
    end_ = absl::UnavailableError(
        "watch: the stream reached its lifetime; resume from the last "
        "revision");
    pending_.clear();
    order_.clear();
    snapshot_.clear();
    return BecameReady(was_ready);
  }
  if (!replaying_ && synced_sent_ && order_.empty() &&
      now - last_sent_ >= options_.bookmark_interval) {
    bookmark_due_ = true;
    last_sent_ = now;  // the next bookmark an interval after this one
  }
  return BecameReady(was_ready);
}

bool Watch::End(absl::Status status) {
  absl::MutexLock lock(&mu_);
  if (ended_ || cancelled_) return false;
  const bool was_ready = Ready();
  EndLocked(std::move(status));
  return BecameReady(was_ready);
}

void Watch::Replay(int64_t revision, absl::string_view session_id, const ViewEntryPtr& entry,
                   bool may_announce_removal) {
  absl::MutexLock lock(&mu_);
  if (ended_ || cancelled_) return;
  auto existing = pending_.find(session_id);
  if (existing != pending_.end() && existing->second.revision >= revision) return;
  if (filter_.Matches(entry.get())) {
    Enqueue(session_id, revision, entry);
  } else if (may_announce_removal || existing != pending_.end()) {
    // A pending live change means the session matched during the window:
    // the client may have it, and it is one the token may see.
    Enqueue(session_id, revision, nullptr);
  }
}

bool Watch::FinishReplay(int64_t revision) {
  absl::MutexLock lock(&mu_);
  const bool was_ready = Ready();
  floor_ = std::max(floor_, revision);
  latest_revision_ = std::max(latest_revision_, revision);
  replaying_ = false;
  return BecameReady(was_ready);
}

}  // namespace sessions
