#include "server/store_metrics.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/server_metrics.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// The sample lines of `text` (Prometheus text format) without comments.
std::vector<std::string> Samples(const std::string& text) {
  std::vector<std::string> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!line.empty() && line[0] != '#') samples.emplace_back(line);
  }
  return samples;
}

TEST(StoreMetricsTest, ExposesTheWritePathCountersOnMetrics) {
  auto store = SqliteSessionStore::Open(testutil::NewDatabasePath("metrics"), {});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->UpsertSessions({testutil::MakeSession("a", "s1", 1)}).ok());
  ASSERT_TRUE((*store)->UpsertSessions({testutil::MakeSession("a", "s2", 2)}).ok());
  ASSERT_TRUE((*store)
                  ->UpdateSession("a", "missing", [](SessionInfo*) { return absl::OkStatus(); })
                  .status()
                  .code() == absl::StatusCode::kNotFound);

  ServerMetrics metrics;
  metrics.AddCollectable(std::make_shared<StoreMetrics>(store->get()));
  const std::string text = metrics.RenderText();
  const std::vector<std::string> samples = Samples(text);
  // Three operations (one failed), each committed alone: nothing ran
  // concurrently. Nothing is queued now; no WAL was big enough to copy.
  EXPECT_THAT(samples, Contains("sessions_store_write_ops_total 3"));
  EXPECT_THAT(samples, Contains("sessions_store_commits_total 2"));
  EXPECT_THAT(samples, Contains("sessions_store_write_queue 0"));
  EXPECT_THAT(samples, Contains("sessions_store_wal_checkpoints_total{thread=\"background\"} 0"));
  EXPECT_THAT(samples, Contains("sessions_store_wal_checkpoints_total{thread=\"writer\"} 0"));
  EXPECT_THAT(samples, Contains("sessions_store_wal_checkpoint_failures_total 0"));
  EXPECT_THAT(text, HasSubstr("# TYPE sessions_store_commits_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE sessions_store_write_queue gauge"));
}

}  // namespace
}  // namespace sessions
