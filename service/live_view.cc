#include "service/live_view.h"

#include <algorithm>
#include <utility>

#include "absl/synchronization/notification.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

absl::Status Unreadable() {
  return absl::InternalError("live view: a stored session is unreadable");
}

}  // namespace

LiveView::LiveView(SessionStore* store, const Options& options)
    : store_(store),
      options_(options),
      rendering_budget_(std::make_shared<RenderingBudget>(options.rendering_cache_bytes)) {
  options_.read_batch = std::max(1, options_.read_batch);
  options_.max_resume_changes = std::max<int64_t>(1, options_.max_resume_changes);
}

absl::StatusOr<std::unique_ptr<LiveView>> LiveView::Start(SessionStore* store,
                                                          const Options& options) {
  std::unique_ptr<LiveView> view(new LiveView(store, options));
  RETURN_IF_ERROR(view->Relist());
  view->tail_thread_.emplace("live-view-tail", [self = view.get()] { self->TailLoop(); });
  // Other processes' commits (replicas on PostgreSQL) wake the tail at once.
  store->SetChangeListener([self = view.get()] { self->WakeTail(); });
  return view;
}

LiveView::~LiveView() { Stop(); }

void LiveView::Stop() {
  // Once: a later Stop() (the destructor's) may come after the store is gone.
  if (!listener_removed_.exchange(true)) store_->SetChangeListener(nullptr);
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  if (tail_thread_) tail_thread_->Join();
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  RunReadyWaiters();
  EndWatches(absl::UnavailableError("the server is shutting down; resume from the last revision"));
}

absl::Status LiveView::Relist() {
  std::vector<PreparedChange> listed;
  int unreadable = 0;
  absl::StatusOr<FeedPosition> position = store_->ListActiveChanges([&](const SessionChange& change)
                                                                        -> absl::Status {
    absl::StatusOr<ViewEntryPtr> entry = MakeViewEntry(change, rendering_budget_);
    if (!entry.ok()) {
      ++unreadable;  // left out, as CatchUp() does
      return absl::OkStatus();
    }
    listed.push_back(PreparedChange{(*entry)->account_id, (*entry)->id, change.revision, *entry});
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(position.status());
  std::vector<std::shared_ptr<Watch>> ended;
  {
    absl::MutexLock lock(&mu_);
    // Only the difference is applied: sessions the listing has at another
    // revision than the view, and sessions the view has that the listing
    // lacks (they ended while the view was behind).
    absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> in_listing;
    in_listing.reserve(listed.size());
    std::vector<PreparedChange> changes;
    for (PreparedChange& change : listed) {
      in_listing.insert({change.entry->account_id, change.entry->id});
      auto account = accounts_.find(change.account_id);
      if (account != accounts_.end()) {
        auto held = account->second.by_id.find(change.session_id);
        if (held != account->second.by_id.end() && held->second->revision == change.revision) {
          continue;
        }
      }
      changes.push_back(std::move(change));
    }
    for (const auto& [account_id, account] : accounts_) {
      for (const auto& [id, entry] : account.by_id) {
        if (!in_listing.contains({entry->account_id, entry->id})) {
          changes.push_back(
              PreparedChange{entry->account_id, entry->id, position->revision, nullptr});
        }
      }
    }
    // When those sessions ended is unknown, so no watch can be told in
    // revision order: open watches end, and their clients list again (as a
    // Kubernetes watch gets 410 Gone).
    Apply(changes, position->revision, /*notify_watches=*/false);
    stats_.unreadable += unreadable;
    if (stats_.relists++ > 0) {
      ended = watches_.EndAll(absl::OutOfRangeError(
          "watch: the server fell behind the compaction horizon; list again"));
    }
  }
  for (const auto& watch : ended) watch->Wake();
  return absl::OkStatus();
}

void LiveView::CatchUp() {
  while (true) {
    int64_t after;
    {
      absl::ReaderMutexLock lock(&mu_);
      after = revision_;
    }
    std::vector<PreparedChange> changes;
    int unreadable = 0;
    absl::StatusOr<FeedPosition> position = store_->ChangesAfter(
        after, options_.read_batch, [&](const SessionChange& change) -> absl::Status {
          absl::StatusOr<ViewEntryPtr> entry = MakeViewEntry(change, rendering_budget_);
          // A row that does not parse must not stop the feed (every later
          // write would wait for it): the session leaves the view.
          if (!entry.ok()) ++unreadable;
          changes.push_back(PreparedChange{std::string(change.account_id),
                                           std::string(change.session_id), change.revision,
                                           entry.ok() ? *std::move(entry) : nullptr});
          return absl::OkStatus();
        });
    if (position.status().code() == absl::StatusCode::kOutOfRange) {
      // Ended sessions the view has not seen end were purged: only a new
      // listing tells which of its sessions are gone.
      const bool relisted = Relist().ok();
      absl::MutexLock lock(&mu_);
      stats_.feed_failing = !relisted;
      if (!relisted) ++stats_.feed_errors;
      return;
    }
    std::vector<std::shared_ptr<Watch>> wake;
    {
      absl::MutexLock lock(&mu_);
      stats_.feed_failing = !position.ok();
      if (!position.ok()) {
        ++stats_.feed_errors;  // retried at the next poll
        return;
      }
      stats_.store_revision = std::max(stats_.store_revision, position->revision);
      stats_.unreadable += unreadable;
      wake = Apply(changes, position->revision, /*notify_watches=*/true);
    }
    for (const auto& watch : wake) watch->Wake();
    if (static_cast<int>(changes.size()) < options_.read_batch) return;
  }
}

std::vector<std::shared_ptr<Watch>> LiveView::Apply(const std::vector<PreparedChange>& changes,
                                                    int64_t revision, bool notify_watches) {
  std::vector<std::shared_ptr<Watch>> wake;
  for (const PreparedChange& change : changes) {
    ViewEntryPtr before;
    auto account = accounts_.find(change.account_id);
    if (account != accounts_.end()) {
      auto old = account->second.by_id.find(change.session_id);
      if (old != account->second.by_id.end()) {
        before = old->second;
        Erase(*before);
      }
    }
    if (change.entry != nullptr) Insert(change.entry);
    ++stats_.changes_applied;
    if (!notify_watches || (before == nullptr && change.entry == nullptr)) continue;
    watches_.OnChange(change.account_id, change.revision, change.session_id, before.get(),
                      change.entry, &wake);
  }
  revision_ = std::max(revision_, revision);
  stats_.revision = revision_;
  stats_.store_revision = std::max(stats_.store_revision, revision_);
  return wake;
}

void LiveView::Insert(ViewEntryPtr entry) {
  AccountSessions& account = accounts_[entry->account_id];
  const OrderKey key{entry->created_us, entry->id};
  account.all.emplace(key, entry.get());
  for (const std::string& customer : entry->customer_path) {
    account.by_customer[customer].emplace(key, entry.get());
  }
  ++stats_.sessions;
  stats_.data_bytes += static_cast<int64_t>(entry->data.size());
  const absl::string_view id = entry->id;
  account.by_id.emplace(id, std::move(entry));
}

void LiveView::Erase(const ViewEntry& entry) {
  auto account = accounts_.find(entry.account_id);
  const OrderKey key{entry.created_us, entry.id};
  account->second.all.erase(key);
  for (const std::string& customer : entry.customer_path) {
    auto ordered = account->second.by_customer.find(customer);
    ordered->second.erase(key);
    if (ordered->second.empty()) account->second.by_customer.erase(ordered);
  }
  --stats_.sessions;
  stats_.data_bytes -= static_cast<int64_t>(entry.data.size());
  // Last: `entry` may be owned by the map.
  account->second.by_id.erase(entry.id);
  if (account->second.by_id.empty()) accounts_.erase(account);
}

const LiveView::OrderedEntries* LiveView::Ordered(const std::string& account_id,
                                                  const std::string& customer_id,
                                                  const AccountSessions** account) const {
  auto found = accounts_.find(account_id);
  if (found == accounts_.end()) return nullptr;
  *account = &found->second;
  if (customer_id.empty()) return &found->second.all;
  auto customer = found->second.by_customer.find(customer_id);
  return customer == found->second.by_customer.end() ? nullptr : &customer->second;
}

absl::StatusOr<int64_t> LiveView::List(const ActiveSessionsQuery& query,
                                       google::protobuf::RepeatedPtrField<SessionInfo>* out) const {
  std::vector<ViewEntryPtr> page;
  ASSIGN_OR_RETURN(const int64_t revision, ListEntries(query, &page));
  const int initial_size = out->size();
  for (const ViewEntryPtr& entry : page) {
    if (!out->Add()->ParseFromString(entry->data)) {
      out->DeleteSubrange(initial_size, out->size() - initial_size);
      return Unreadable();
    }
  }
  return revision;
}

absl::StatusOr<int64_t> LiveView::ListEntries(const ActiveSessionsQuery& query,
                                              std::vector<ViewEntryPtr>* out) const {
  if (query.account_id.empty()) return FieldError("account_id", "required");
  // The same bounds as the store's query (storage/sqlite/sqlite_session_store.cc).
  const bool paging = !query.after_id.empty();
  const OrderKey created_from{ToUnixMicrosSaturated(query.created_at_or_after), ""};
  const OrderKey cursor{ToUnixMicrosSaturated(query.after_created), query.after_id};
  const size_t initial_size = out->size();
  absl::ReaderMutexLock lock(&mu_);
  const AccountSessions* account = nullptr;
  const std::string* bound = query.bounding_customer();
  const OrderedEntries* entries = Ordered(query.account_id, query.listed_customer(), &account);
  if (entries == nullptr) return revision_;
  auto it = paging && created_from < cursor ? entries->upper_bound(cursor)
                                            : entries->lower_bound(created_from);
  for (; it != entries->end() &&
         (query.limit <= 0 || static_cast<int>(out->size() - initial_size) < query.limit);
       ++it) {
    if (bound != nullptr && !it->second->InCustomerSubtree(*bound)) continue;
    out->push_back(account->by_id.find(it->second->id)->second);
  }
  return revision_;
}

int64_t LiveView::revision() const {
  absl::ReaderMutexLock lock(&mu_);
  return revision_;
}

LiveViewStats LiveView::stats() const {
  LiveViewStats stats;
  {
    absl::ReaderMutexLock lock(&mu_);
    stats = stats_;
  }
  stats.rendering_cache_bytes = rendering_budget_->used();
  stats.renders = rendering_budget_->renders();
  stats.renders_uncached = rendering_budget_->uncached();
  return stats;
}

void LiveView::WhenApplied(int64_t revision, absl::Time deadline,
                           std::function<void(bool reached)> then) {
  bool reached = false;
  {
    absl::MutexLock lock(&mu_);
    reached = revision_ >= revision;
    if (!reached && !stopped_) {
      waiters_.emplace(revision, Waiter{deadline, std::move(then)});
      then = nullptr;
    }
  }
  if (then) return then(reached);
  WakeTail();
}

void LiveView::WakeTail() {
  absl::MutexLock lock(&wake_mu_);
  wake_ = true;
}

bool LiveView::AwaitRevision(int64_t revision, absl::Time deadline) {
  absl::Notification done;
  bool reached = false;
  WhenApplied(revision, deadline, [&](bool r) {
    reached = r;
    done.Notify();
  });
  done.WaitForNotification();
  return reached;
}

void LiveView::RunReadyWaiters() {
  std::vector<std::pair<std::function<void(bool)>, bool>> ready;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      const bool reached = it->first <= revision_;
      if (reached || stopped_ || it->second.deadline <= now) {
        ready.emplace_back(std::move(it->second.then), reached);
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [then, reached] : ready) then(reached);
}

void LiveView::TailLoop() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      wake_mu_.AwaitWithTimeout(absl::Condition(
                                    +[](LiveView* v) ABSL_EXCLUSIVE_LOCKS_REQUIRED(v->wake_mu_) {
                                      return v->wake_ || v->stopping_;
                                    },
                                    this),
                                options_.poll_interval);
      if (stopping_) return;
      wake_ = false;
    }
    CatchUp();
    RunReadyWaiters();
    TickWatches();
  }
}

absl::StatusOr<std::shared_ptr<Watch>> LiveView::StartWatch(WatchFilter filter,
                                                            int64_t start_revision,
                                                            const WatchOptions& options) {
  if (start_revision < 0) return FieldError("start_revision", "must not be negative");
  std::shared_ptr<Watch> watch;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (stopped_ || closing_) {
      return absl::UnavailableError("the server is shutting down; resume elsewhere");
    }
    std::vector<ViewEntryPtr> snapshot;
    const AccountSessions* account = nullptr;
    const OrderedEntries* entries =
        start_revision == 0 ? Ordered(filter.account_id, filter.customer_id, &account) : nullptr;
    if (entries != nullptr) {
      for (auto it = entries->lower_bound(OrderKey{filter.created_from_us, ""});
           it != entries->end(); ++it) {
        if (filter.Matches(it->second)) {
          snapshot.push_back(account->by_id.find(it->second->id)->second);
        }
      }
    }
    // Registered under the view's lock: no change falls between the
    // snapshot (or the resume point) and the first change it gets.
    watch = std::make_shared<Watch>(std::move(filter), options, watches_.counters(),
                                    std::move(snapshot),
                                    start_revision == 0 ? revision_ : start_revision,
                                    /*resume=*/start_revision != 0, absl::Now());
    watches_.Add(watch);
  }
  if (start_revision != 0) {
    if (absl::Status replayed = ReplayInto(*watch, start_revision); !replayed.ok()) {
      watch->Cancel();
      return replayed;
    }
  }
  return watch;
}

absl::Status LiveView::ReplayInto(Watch& watch, int64_t start_revision) {
  // Without the state the client last saw, each changed session of the
  // account is sent as it is now: upserted if it matches, else removed
  // (when the filter may announce it). Read in batches until caught up
  // with the store, or until the watch ends (it overflowed).
  const std::string& account_id = watch.filter().account_id;
  int64_t after = start_revision;
  int64_t read = 0;
  bool first = true;
  while (!watch.Finished()) {
    int visited = 0;
    ASSIGN_OR_RETURN(
        FeedPosition position,
        store_->ChangesAfter(
            after, options_.read_batch, [&](const SessionChange& change) -> absl::Status {
              ++visited;
              if (change.account_id != account_id) return absl::OkStatus();
              ASSIGN_OR_RETURN(ViewEntryPtr last, MakeLastStateEntry(change));
              watch.Replay(change.revision, change.session_id, change.ended ? nullptr : last,
                           watch.filter().MayAnnounceRemoval(*last));
              return absl::OkStatus();
            }));
    if (first && position.revision < start_revision) {
      // Not a revision of this store (a restored or another database): the
      // client's state cannot be brought up to date from here.
      return absl::OutOfRangeError(absl::StrCat("start_revision ", start_revision,
                                                " is ahead of this store (at revision ",
                                                position.revision, "); list again"));
    }
    first = false;
    after = position.revision;
    read += visited;
    if (read > options_.max_resume_changes) {
      return absl::OutOfRangeError(
          absl::StrCat("start_revision ", start_revision, " is too far behind (more than ",
                       options_.max_resume_changes, " changes since); list again"));
    }
    if (visited < options_.read_batch) break;
  }
  if (watch.FinishReplay(after)) watch.Wake();
  return absl::OkStatus();
}

void LiveView::EndWatches(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;  // and no new ones
  }
  for (const auto& watch : watches_.EndAll(status)) watch->Wake();
}

void LiveView::TickWatches() {
  int64_t revision;
  {
    absl::ReaderMutexLock lock(&mu_);
    revision = revision_;
  }
  int64_t open = 0;
  const std::vector<std::shared_ptr<Watch>> wake = watches_.Tick(revision, absl::Now(), &open);
  {
    absl::MutexLock lock(&mu_);
    stats_.watches = open;
  }
  for (const auto& watch : wake) watch->Wake();
}

}  // namespace sessions
