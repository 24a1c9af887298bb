// Tests for FieldPlan: order, keys, kinds, enum C# names, caching.

#include "gateway/codec/field_plan.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/codec/output_buffer.h"
#include "gtest/gtest.h"
#include "testdata/writer_test.pb.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/flows/v1/flows.pb.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::gateway {
namespace {

using google::protobuf::EnumDescriptor;
using sessions::gateway::testdata::TestAll;
using sessions::gateway::testdata::TestChild;
using voice::api::sessions::v1::SessionInfo;

TEST(FieldPlanTest, SessionInfoFieldsInDeclarationOrderWithKeys) {
  const FieldPlan& plan = FieldPlan::For(SessionInfo::descriptor());
  ASSERT_EQ(plan.fields().size(), 41u);
  for (int i = 0; i < 41; ++i) {
    EXPECT_EQ(plan.fields()[i].field, SessionInfo::descriptor()->field(i));
  }
  const PlannedField& crumbs = plan.fields()[6];
  EXPECT_EQ(crumbs.json_key, ",\"customerBreadcrumb\":");
  EXPECT_EQ(crumbs.jsv_key, ",customerBreadcrumb:");
  EXPECT_TRUE(crumbs.repeated);
  EXPECT_FALSE(crumbs.is_map);
  EXPECT_EQ(crumbs.kind, FieldKind::kMessage);
  ASSERT_NE(crumbs.message, nullptr);
  EXPECT_EQ(crumbs.message->type()->name(), "CustomerBreadcrumb");
  EXPECT_EQ(plan.fields()[0].kind, FieldKind::kEnum);
  EXPECT_EQ(plan.fields()[18].kind, FieldKind::kBool);  // ended
  EXPECT_EQ(plan.fields()[33].json_key, ",\"mostRecentParticipantCallSid\":");
  EXPECT_EQ(plan.fields()[40].json_key, ",\"lastModifiedBy\":");
  for (const PlannedField& f : plan.fields()) {
    EXPECT_FALSE(f.explicit_presence) << f.field->name();
  }
}

TEST(FieldPlanTest, MapFieldPlan) {
  const FieldPlan& plan = FieldPlan::For(voice::api::sessions::v1::SessionMemberInfo::descriptor());
  const PlannedField& data = plan.fields()[5];
  EXPECT_EQ(data.json_key, ",\"applicationData\":");
  EXPECT_TRUE(data.repeated);
  EXPECT_TRUE(data.is_map);
  EXPECT_EQ(data.key_kind, FieldKind::kString);
  EXPECT_EQ(data.kind, FieldKind::kString);
  ASSERT_NE(data.map_key, nullptr);
  EXPECT_EQ(data.map_value->name(), "value");
}

TEST(FieldPlanTest, GenericMessageKindsPresenceAndRecursion) {
  const FieldPlan& plan = FieldPlan::For(TestAll::descriptor());
  auto field = [&](const std::string& name) -> const PlannedField& {
    for (const PlannedField& f : plan.fields()) {
      if (f.field->name() == name) return f;
    }
    ADD_FAILURE() << name;
    return plan.fields()[0];
  };
  EXPECT_EQ(field("i64").kind, FieldKind::kInt64);
  EXPECT_EQ(field("u64").kind, FieldKind::kUInt64);
  EXPECT_EQ(field("s32").kind, FieldKind::kInt32);
  EXPECT_EQ(field("flt").kind, FieldKind::kFloat);
  EXPECT_EQ(field("blob").kind, FieldKind::kBytes);
  EXPECT_TRUE(field("maybe").explicit_presence);
  EXPECT_TRUE(field("maybe_text").explicit_presence);
  EXPECT_TRUE(field("choice_text").explicit_presence);
  EXPECT_FALSE(field("i32").explicit_presence);
  EXPECT_FALSE(field("child").explicit_presence);
  EXPECT_EQ(field("field_with_json_name").json_key, ",\"customKey\":");
  const PlannedField& by_id = field("by_id");
  EXPECT_EQ(by_id.key_kind, FieldKind::kInt32);
  EXPECT_EQ(by_id.kind, FieldKind::kMessage);
  EXPECT_EQ(by_id.message, &FieldPlan::For(TestChild::descriptor()));
  EXPECT_EQ(field("color_by_name").kind, FieldKind::kEnum);
  ASSERT_NE(field("color_by_name").enum_names, nullptr);
  const FieldPlan& child = FieldPlan::For(TestChild::descriptor());
  EXPECT_EQ(child.fields()[2].message, &child);  // Recursive type.
}

TEST(FieldPlanTest, CachedAndThreadSafe) {
  std::vector<const FieldPlan*> seen(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&seen, i] {
      seen[i] =
          &FieldPlan::For(voice::api::app::portal::v1::GetActiveSessionsResponse::descriptor());
    });
  }
  for (auto& t : threads) t.join();
  for (const FieldPlan* p : seen) EXPECT_EQ(p, seen[0]);
  EXPECT_EQ(seen[0]->fields()[0].message, &FieldPlan::For(SessionInfo::descriptor()));
}

// Every value of every enum of the API, with its C# name from the seed.
TEST(FieldPlanTest, CSharpNamesOfEveryApiEnum) {
  const std::vector<std::pair<const EnumDescriptor*, std::vector<std::string>>> kEnums = {
      {voice::api::sessions::v1::SessionDialState_descriptor(), {"None", "Active"}},
      {voice::api::sessions::v1::SessionCallState_descriptor(),
       {"Disconnected", "Ringing", "Connected", "Hold", "Passive"}},
      {voice::api::sessions::v1::SessionQueueStates_descriptor(),
       {"None", "Queued", "Ringing", "Connected", "Hold", "Disconnected"}},
      {voice::api::sessions::v1::SessionDirections_descriptor(), {"Incoming", "Outgoing"}},
      {voice::api::sessions::v1::SessionHoldReasons_descriptor(), {"None", "Transferring"}},
      {voice::api::sessions::v1::SessionMemberCallState_descriptor(),
       {"None", "Ringing", "Connected", "Hold"}},
      {voice::api::sessions::v1::SessionMemberRoles_descriptor(),
       {"None", "Caller", "Agent", "Transfer"}},
      {voice::api::flows::v1::FlowChannels_descriptor(), {"Voice", "Chat", "Fax"}},
  };
  for (const auto& [type, names] : kEnums) {
    ASSERT_EQ(type->value_count(), static_cast<int>(names.size())) << type->full_name();
    EnumNames table(type);
    for (int i = 0; i < type->value_count(); ++i) {
      EXPECT_EQ(CSharpEnumValueName(type->value(i)), names[i]);
      ASSERT_NE(table.Find(type->value(i)->number()), nullptr);
      EXPECT_EQ(*table.Find(type->value(i)->number()), names[i]);
    }
    EXPECT_EQ(table.Find(99), nullptr);
    EXPECT_EQ(table.Find(-1), nullptr);
  }
}

TEST(FieldPlanTest, EnumNamesOfTestEnumWithGap) {
  const EnumDescriptor* type = testdata::TestColor_descriptor();
  EnumNames table(type);
  EXPECT_EQ(*table.Find(0), "Red");
  EXPECT_EQ(*table.Find(1), "DarkGreen");
  EXPECT_EQ(*table.Find(7), "Blue");
  EXPECT_EQ(table.Find(3), nullptr);
  EXPECT_EQ(table.Find(8), nullptr);
}

TEST(FieldPlanTest, OffsetsFoundForGeneratedTypes) {
  const FieldPlan& plan = FieldPlan::For(SessionInfo::descriptor());
  EXPECT_EQ(plan.fast_reflection(), SessionInfo::default_instance().GetReflection());
  for (const PlannedField& f : plan.fields()) {
    EXPECT_GE(f.offset, 0) << f.field->name();
  }
  const FieldPlan& member =
      FieldPlan::For(voice::api::sessions::v1::SessionMemberInfo::descriptor());
  const PlannedField& map = member.fields()[5];
  EXPECT_EQ(map.offset, -1);  // The map itself is read by reflection...
  ASSERT_NE(map.entry, nullptr);
  EXPECT_GE(map.entry->fields()[0].offset, 0);  // ...its entries by offset.
  EXPECT_GE(map.entry->fields()[1].offset, 0);
  EXPECT_GE(member.fields()[4].offset, 0);
}

TEST(FieldPlanTest, OffsetsReadWhatReflectionReads) {
  const FieldPlan& plan = FieldPlan::For(TestAll::descriptor());
  TestAll m;
  m.set_i32(-3);
  m.set_i64(-4);
  m.set_u32(5);
  m.set_u64(6);
  m.set_dbl(0.5);
  m.set_flt(0.25f);
  m.set_flag(true);
  m.set_text("text");
  m.set_color(testdata::TEST_COLOR_BLUE);
  m.mutable_child()->set_name("c");
  m.add_children()->set_name("k");
  for (const PlannedField& f : plan.fields()) {
    const std::string& name = f.field->name();
    const bool reflection_only =
        f.is_map || f.explicit_presence || (f.repeated && f.kind != FieldKind::kMessage);
    EXPECT_EQ(f.offset < 0, reflection_only) << name;
  }
  auto at = [&](const char* name) {
    return plan.fields()[TestAll::descriptor()->FindFieldByName(name)->index()].offset;
  };
  EXPECT_EQ(ScalarAt<int32_t>(m, at("i32")), -3);
  EXPECT_EQ(ScalarAt<int64_t>(m, at("i64")), -4);
  EXPECT_EQ(ScalarAt<uint32_t>(m, at("u32")), 5u);
  EXPECT_EQ(ScalarAt<uint64_t>(m, at("u64")), 6u);
  EXPECT_EQ(ScalarAt<double>(m, at("dbl")), 0.5);
  EXPECT_EQ(ScalarAt<float>(m, at("flt")), 0.25f);
  EXPECT_TRUE(ScalarAt<bool>(m, at("flag")));
  EXPECT_EQ(StringAt(m, at("text")), "text");
  EXPECT_EQ(StringAt(TestAll::default_instance(), at("text")), "");
  EXPECT_EQ(ScalarAt<int32_t>(m, at("color")), 7);
  EXPECT_EQ(MessageAt(m, at("child")), &m.child());
  EXPECT_EQ(MessageAt(TestAll::default_instance(), at("child")), nullptr);
  EXPECT_EQ(RepeatedMessagesAt(m, at("children")).size(), 1);
  EXPECT_EQ(&RepeatedMessagesAt(m, at("children")).Get(0), &m.children(0));
}

TEST(FieldPlanTest, OutputBufferAppendsAndTrims) {
  std::string out = "ab";
  {
    OutputBuffer buf(&out);
    buf.append("cd", 2);
    buf.push_back('e');
    const std::string big(100000, 'x');
    buf.append(big);
    EXPECT_EQ(buf.size(), 100005u);
    buf[0] = 'A';
  }
  EXPECT_EQ(out.size(), 100005u);
  EXPECT_EQ(out.substr(0, 6), "Abcdex");
}

}  // namespace
}  // namespace sessions::gateway
