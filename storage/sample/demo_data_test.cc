#include "storage/sample/demo_data.h"

#include <map>
#include <set>
#include <string>

#include "common/iso_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;

// Records which fields of `message` (and of its nested messages) are set
// and which enum values appear, keyed by full field name.
void Collect(const Message& message, std::set<std::string>* set_fields,
             std::map<std::string, std::set<int>>* enum_values) {
  const Descriptor* d = message.GetDescriptor();
  const auto* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) {
      if (r->FieldSize(message, f) > 0) set_fields->insert(f->full_name());
      continue;
    }
    if (f->is_repeated()) {
      if (r->FieldSize(message, f) > 0) set_fields->insert(f->full_name());
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int j = 0; j < r->FieldSize(message, f); ++j) {
          Collect(r->GetRepeatedMessage(message, f, j), set_fields, enum_values);
        }
      }
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      (*enum_values)[f->full_name()].insert(r->GetEnumValue(message, f));
    } else if (r->HasField(message, f)) {
      set_fields->insert(f->full_name());
    }
  }
}

TEST(DemoDataTest, IsDeterministicAndValid) {
  std::vector<SessionInfo> a = DemoSessions();
  std::vector<SessionInfo> b = DemoSessions();
  ASSERT_EQ(a.size(), 26u);
  for (size_t i = 0; i < a.size(); ++i) {
    // (Map order makes plain serialization nondeterministic.)
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a[i], b[i])) << a[i].id();
    EXPECT_TRUE(ParseIsoTime(a[i].date_created()).ok());
    EXPECT_TRUE(ParseIsoTime(a[i].date_last_modified()).ok());
    EXPECT_GE(a[i].customer_breadcrumb_size(), 1);
    EXPECT_LE(a[i].customer_breadcrumb_size() + 1, 3);  // path 2-3 deep
  }
}

TEST(DemoDataTest, CoversEveryFieldAndEnumValue) {
  std::set<std::string> set_fields;
  std::map<std::string, std::set<int>> enum_values;
  for (const SessionInfo& s : DemoSessions()) Collect(s, &set_fields, &enum_values);

  std::vector<const Descriptor*> types = {
      SessionInfo::descriptor(), ::voice::api::sessions::v1::SessionMemberInfo::descriptor(),
      ::voice::api::sessions::v1::SessionLogInfo::descriptor(),
      ::voice::api::customers::v1::CustomerBreadcrumb::descriptor()};
  for (const Descriptor* d : types) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && !f->is_repeated()) {
        for (int v = 0; v < f->enum_type()->value_count(); ++v) {
          EXPECT_EQ(enum_values[f->full_name()].count(f->enum_type()->value(v)->number()), 1u)
              << f->full_name() << " never " << f->enum_type()->value(v)->name();
        }
      } else {
        EXPECT_EQ(set_fields.count(f->full_name()), 1u) << f->full_name() << " never set";
      }
    }
  }
}

TEST(DemoDataTest, FillsEmptyStoreOnce) {
  auto store = SqliteSessionStore::Open(testutil::NewDatabasePath("demo"), {});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(FillDemoData(store->get()).ok());
  const WriterStats after_first = (*store)->stats();
  ASSERT_TRUE(FillDemoData(store->get()).ok());
  EXPECT_EQ((*store)->stats().ops, after_first.ops);  // nothing written the second time

  std::map<std::string, int> active;
  for (const char* account : {"acct-demo-1", "acct-demo-2"}) {
    ActiveSessionsQuery query;
    query.account_id = account;
    google::protobuf::RepeatedPtrField<SessionInfo> out;
    ASSERT_TRUE((*store)->ListActiveSessions(query, &out).ok());
    active[account] = out.size();
  }
  EXPECT_EQ(active["acct-demo-1"], 12);
  EXPECT_EQ(active["acct-demo-2"], 6);
  int total = 0;
  ASSERT_TRUE((*store)
                  ->ForEachSession([&](const SessionInfo&) {
                    ++total;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(total, 26);

  ActiveSessionsQuery subtree;
  subtree.account_id = "acct-demo-1";
  subtree.customer_id = "cust-acme-hq";
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE((*store)->ListActiveSessions(subtree, &out).ok());
  EXPECT_GT(out.size(), 0);
  EXPECT_LT(out.size(), 12);
}

TEST(DemoDataTest, LeavesNonEmptyStoreAlone) {
  auto store = SqliteSessionStore::Open(testutil::NewDatabasePath("demo"), {});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->UpsertSessions({testutil::MakeSession("x", "only", 1)}).ok());
  ASSERT_TRUE(FillDemoData(store->get()).ok());
  int total = 0;
  ASSERT_TRUE((*store)
                  ->ForEachSession([&](const SessionInfo&) {
                    ++total;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(total, 1);
}

}  // namespace
}  // namespace sessions
