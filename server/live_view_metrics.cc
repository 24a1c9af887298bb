#include "server/live_view_metrics.h"

#include "server/metric_family.h"

namespace sessions {

using prometheus::MetricType;

std::vector<prometheus::MetricFamily> LiveViewMetrics::Collect() const {
  const LiveViewStats view = view_->stats();
  const WatchCounters& watch = view_->watch_counters();
  return {
      MakeFamily("sessions_live_view_revision", "The store revision the live view reflects",
                 MetricType::Gauge, {{view.revision, {}}}),
      MakeFamily("sessions_live_view_lag_revisions",
                 "Revisions the store has that the live view has not applied yet (as of the "
                 "view's last read of the change feed)",
                 MetricType::Gauge, {{view.store_revision - view.revision, {}}}),
      MakeFamily("sessions_live_view_sessions", "Active sessions held by the live view",
                 MetricType::Gauge, {{view.sessions, {}}}),
      MakeFamily("sessions_live_view_data_bytes", "Serialized size of the sessions held",
                 MetricType::Gauge, {{view.data_bytes, {}}}),
      MakeFamily("sessions_live_view_rendering_cache_bytes",
                 "Memory held by the cached REST renderings of the sessions", MetricType::Gauge,
                 {{view.rendering_cache_bytes, {}}}),
      MakeFamily("sessions_live_view_renders_total",
                 "Sessions rendered for a REST answer (cache misses)", MetricType::Counter,
                 {{view.renders, {}}}),
      MakeFamily("sessions_live_view_renders_uncached_total",
                 "Renderings not kept because the cache was full (--view_rendering_cache_mb)",
                 MetricType::Counter, {{view.renders_uncached, {}}}),
      MakeFamily("sessions_live_view_feed_errors_total",
                 "Failed reads of the store's change feed (retried)", MetricType::Counter,
                 {{view.feed_errors, {}}}),
      MakeFamily("sessions_live_view_unreadable_total",
                 "Change-feed entries that did not parse (left out of the view)",
                 MetricType::Counter, {{view.unreadable, {}}}),
      MakeFamily("sessions_live_view_relists_total",
                 "Full re-reads of the store (start-up, or the view fell below the horizon)",
                 MetricType::Counter, {{view.relists, {}}}),
      MakeFamily("sessions_watches", "Open WatchActiveSessions streams by transport",
                 MetricType::Gauge,
                 {{watches_->OpenStreams(Transport::kGrpc), {"transport", "grpc"}},
                  {watches_->OpenStreams(Transport::kHttp), {"transport", "sse"}}}),
      MakeFamily("sessions_watch_events_sent_total", "Watch messages handed to transports",
                 MetricType::Counter, {{watch.events_sent.load(), {}}}),
      MakeFamily("sessions_watch_bookmarks_sent_total", "Bookmarks sent on idle watch streams",
                 MetricType::Counter, {{watch.bookmarks_sent.load(), {}}}),
      MakeFamily("sessions_watch_coalesced_total",
                 "Unsent watch changes replaced by a newer change of the same session",
                 MetricType::Counter, {{watch.coalesced.load(), {}}}),
      MakeFamily("sessions_watch_overflows_total",
                 "Watch streams ended because their client read too slowly", MetricType::Counter,
                 {{watch.overflowed.load(), {}}}),
  };
}

}  // namespace sessions
