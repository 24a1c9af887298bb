// Tests for JsonWriter (ServiceStack JSON dialect).

#include "gateway/codec/json_writer.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gateway/codec/field_plan.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "storage/sample/session_factory.h"
#include "testdata/writer_test.pb.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using sessions::gateway::testdata::TestAll;
using voice::api::app::portal::v1::GetActiveSessionsResponse;
using voice::api::sessions::v1::SessionInfo;

std::string ToJson(const Message& msg) {
  std::string out;
  JsonWriter::Write(msg, &out);
  return out;
}

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return doc;
}

std::vector<std::string> Keys(const rapidjson::Value& obj) {
  std::vector<std::string> keys;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    keys.emplace_back(it->name.GetString(), it->name.GetStringLength());
  }
  return keys;
}

// Expects `v` to be the JSON form of a scalar/enum value of field `d`.
void ExpectScalar(const Message& m, const Reflection& r, const FieldDescriptor* d, int i,
                  const rapidjson::Value& v) {
  const bool rep = d->is_repeated();
  switch (d->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      ASSERT_TRUE(v.IsString());
      EXPECT_EQ(std::string(v.GetString(), v.GetStringLength()),
                rep ? r.GetRepeatedString(m, d, i) : r.GetString(m, d));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      ASSERT_TRUE(v.IsBool());
      EXPECT_EQ(v.GetBool(), rep ? r.GetRepeatedBool(m, d, i) : r.GetBool(m, d));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      ASSERT_TRUE(v.IsInt());
      EXPECT_EQ(v.GetInt(), rep ? r.GetRepeatedInt32(m, d, i) : r.GetInt32(m, d));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      ASSERT_TRUE(v.IsInt64());
      EXPECT_EQ(v.GetInt64(), rep ? r.GetRepeatedInt64(m, d, i) : r.GetInt64(m, d));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      ASSERT_TRUE(v.IsNumber());
      EXPECT_EQ(v.GetDouble(), rep ? r.GetRepeatedDouble(m, d, i) : r.GetDouble(m, d));
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      ASSERT_TRUE(v.IsString());
      const auto* value = rep ? r.GetRepeatedEnum(m, d, i) : r.GetEnum(m, d);
      EXPECT_EQ(v.GetString(), CSharpEnumValueName(value));
      break;
    }
    default:
      ADD_FAILURE() << "unhandled type in test: " << d->full_name();
  }
}

void ExpectMatches(const Message& m, const rapidjson::Value& obj);

// Generic round-trip check: every field of `m` against the parsed JSON.
void ExpectField(const Message& m, const FieldDescriptor* d, const rapidjson::Value& obj,
                 int* present) {
  const Reflection& r = *m.GetReflection();
  const char* key = d->json_name().c_str();
  const bool has_key = obj.HasMember(key);
  const bool is_message = d->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (d->is_repeated()) {
    ASSERT_TRUE(has_key) << key;
    ++*present;
    const rapidjson::Value& v = obj[key];
    const int n = r.FieldSize(m, d);
    if (d->is_map()) {
      ASSERT_TRUE(v.IsObject()) << key;
      ASSERT_EQ(static_cast<int>(v.MemberCount()), n) << key;
      for (int i = 0; i < n; ++i) {
        const Message& entry = r.GetRepeatedMessage(m, d, i);
        const Reflection& er = *entry.GetReflection();
        const auto* kd = entry.GetDescriptor()->map_key();
        const auto* vd = entry.GetDescriptor()->map_value();
        const std::string k = er.GetString(entry, kd);
        ASSERT_TRUE(v.HasMember(k.c_str())) << k;
        ExpectScalar(entry, er, vd, 0, v[k.c_str()]);
      }
      return;
    }
    ASSERT_TRUE(v.IsArray()) << key;
    ASSERT_EQ(static_cast<int>(v.Size()), n) << key;
    for (int i = 0; i < n; ++i) {
      if (is_message) {
        ExpectMatches(r.GetRepeatedMessage(m, d, i), v[i]);
      } else {
        ExpectScalar(m, r, d, i, v[i]);
      }
    }
  } else if (is_message) {
    ASSERT_EQ(has_key, r.HasField(m, d)) << key;
    if (has_key) ExpectMatches(r.GetMessage(m, d), obj[key]);
    *present += has_key;
  } else if (d->cpp_type() == FieldDescriptor::CPPTYPE_STRING && r.GetString(m, d).empty()) {
    EXPECT_FALSE(has_key) << key;
  } else {
    ASSERT_TRUE(has_key) << key;
    ++*present;
    ExpectScalar(m, r, d, 0, obj[key]);
  }
}

void ExpectMatches(const Message& m, const rapidjson::Value& obj) {
  ASSERT_TRUE(obj.IsObject());
  int present = 0;
  for (int i = 0; i < m.GetDescriptor()->field_count(); ++i) {
    ExpectField(m, m.GetDescriptor()->field(i), obj, &present);
  }
  EXPECT_EQ(static_cast<int>(obj.MemberCount()), present);  // No extra keys.
}

TEST(JsonWriterTest, SmallSessionGolden) {
  EXPECT_EQ(ToJson(sample::SmallSession()),
            R"({"dialState":"None","callState":"Disconnected","queueState":"None",)"
            R"("accountId":"acc1","customerBreadcrumb":[{"id":"c1","name":"Top"}],)"
            R"("channel":"Voice","ended":false,"holdReason":"None",)"
            R"("log":[{"date":"2026-11-25","message":"hi"}],)"
            R"("members":[{"identity":"u1","isOriginalMember":false,)"
            R"("applicationData":{"k":"v"},"callState":"None","role":"None",)"
            R"("muted":true}],"direction":"Incoming","wasMissed":false,"id":"s1"})");
}

TEST(JsonWriterTest, DefaultsAlwaysWrittenEmptyStringsOmitted) {
  EXPECT_EQ(ToJson(SessionInfo()),
            R"({"dialState":"None","callState":"Disconnected",)"
            R"("queueState":"None","customerBreadcrumb":[],"channel":"Voice",)"
            R"("ended":false,"holdReason":"None","log":[],"members":[],)"
            R"("direction":"Incoming","wasMissed":false})");
  EXPECT_EQ(ToJson(GetActiveSessionsResponse()), R"({"sessions":[],"revision":0})");
  EXPECT_EQ(ToJson(voice::api::sessions::v1::SessionLogInfo()), "{}");
}

// The key order of the seed's JSV sample (AppGetActiveSessions.txt). The
// result adds `revision` after the seed's `sessions` (ServiceStack clients
// ignore properties their DTO lacks).
TEST(JsonWriterTest, FullSessionKeyOrderMatchesSeed) {
  GetActiveSessionsResponse response;
  *response.add_sessions() = sample::FullSession();
  rapidjson::Document doc = Parse(ToJson(response));
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"sessions", "revision"}));
  const rapidjson::Value& s = doc["sessions"][0];
  EXPECT_EQ(Keys(s), (std::vector<std::string>{"dialState",
                                               "callState",
                                               "queueState",
                                               "accountId",
                                               "accountName",
                                               "customerId",
                                               "customerBreadcrumb",
                                               "customerName",
                                               "endpointId",
                                               "endpointName",
                                               "dateCompleted",
                                               "destination",
                                               "toAddress",
                                               "fromAddress",
                                               "fromName",
                                               "answeredByName",
                                               "queueMemberId",
                                               "channel",
                                               "ended",
                                               "outcome",
                                               "callSid",
                                               "consoleData",
                                               "holdQueueName",
                                               "heldByUserId",
                                               "holdReason",
                                               "conferenceSid",
                                               "displayName",
                                               "log",
                                               "members",
                                               "callbackNumber",
                                               "answeredById",
                                               "direction",
                                               "fromPhoneNumber",
                                               "mostRecentParticipantCallSid",
                                               "wasMissed",
                                               "ringQueueId",
                                               "id",
                                               "dateCreated",
                                               "dateLastModified",
                                               "createdBy",
                                               "lastModifiedBy"}));
  EXPECT_EQ(Keys(s["customerBreadcrumb"][0]), (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(Keys(s["log"][0]), (std::vector<std::string>{"date", "message"}));
  EXPECT_EQ(Keys(s["members"][0]),
            (std::vector<std::string>{"identity", "endpointId", "displayName", "isOriginalMember",
                                      "avatarUrl", "applicationData", "callState", "role",
                                      "callSid", "muted"}));
  EXPECT_EQ(Keys(s["members"][0]["applicationData"]),
            (std::vector<std::string>{"agent", "skill"}));  // Sorted.
}

TEST(JsonWriterTest, FullSessionRoundTripsEveryValue) {
  GetActiveSessionsResponse response;
  for (int i = 0; i < 3; ++i) *response.add_sessions() = sample::FullSession();
  response.set_next_page_token("tok");
  const std::string json = ToJson(response);
  const rapidjson::Document doc = Parse(json);
  ExpectMatches(response, doc);
  const rapidjson::Value& s = doc["sessions"][1];
  EXPECT_STREQ(s["callState"].GetString(), "Connected");
  EXPECT_STREQ(s["queueState"].GetString(), "Queued");
  EXPECT_STREQ(s["channel"].GetString(), "Fax");
  EXPECT_STREQ(s["holdReason"].GetString(), "Transferring");
  EXPECT_STREQ(s["direction"].GetString(), "Outgoing");
  EXPECT_STREQ(s["members"][0]["role"].GetString(), "Agent");
  EXPECT_STREQ(s["members"][0]["callState"].GetString(), "Hold");
  EXPECT_STREQ(s["fromName"].GetString(), "Zoë Müller");
  EXPECT_STREQ(s["consoleData"].GetString(), "{\"k\":\"v\\n\"}\t\x01");
}

// The offset fast path and the reflection path write the same bytes, also
// for arena-allocated messages (whose strings carry other pointer tags).
TEST(JsonWriterTest, FastPathEqualsReflectionPath) {
  google::protobuf::Arena arena;
  auto* on_arena = google::protobuf::Arena::CreateMessage<GetActiveSessionsResponse>(&arena);
  GetActiveSessionsResponse on_heap;
  for (int i = 0; i < 3; ++i) {
    *on_heap.add_sessions() = sample::FullSession();
    *on_arena->add_sessions() = sample::FullSession();
  }
  on_heap.add_sessions();  // All defaults.
  on_arena->add_sessions();
  const std::string fast = ToJson(on_heap);
  EXPECT_EQ(ToJson(*on_arena), fast);
  SetFastAccessEnabledForTesting(false);
  const std::string slow = ToJson(on_heap);
  const std::string slow_arena = ToJson(*on_arena);
  SetFastAccessEnabledForTesting(true);
  EXPECT_EQ(slow, fast);
  EXPECT_EQ(slow_arena, fast);
}

TEST(JsonWriterTest, UnknownEnumNumberWrittenAsNumber) {
  SessionInfo s;
  s.set_call_state(static_cast<voice::api::sessions::v1::SessionCallState>(42));
  EXPECT_NE(ToJson(s).find(R"("callState":42,)"), std::string::npos);
}

TEST(JsonWriterTest, AppendsToExistingBuffer) {
  std::string out = "prefix:";
  JsonWriter::Write(voice::api::sessions::v1::SessionLogInfo(), &out);
  EXPECT_EQ(out, "prefix:{}");
}

TEST(JsonWriterTest, GenericMessageGolden) {
  TestAll m;
  m.set_i32(-5);
  m.set_i64(int64_t{9007199254740993});
  m.set_u32(4000000000u);
  m.set_u64(uint64_t{18446744073709551615u});
  m.set_s32(-7);
  m.set_dbl(0.1);
  m.set_flt(1.5f);
  m.set_flag(true);
  m.set_text("t");
  m.set_blob("\xff\x00\x01", 3);
  m.set_color(testdata::TEST_COLOR_DARK_GREEN);
  m.mutable_child()->set_name("c");
  m.mutable_child()->mutable_child()->set_count(-1);
  m.add_numbers(1);
  m.add_numbers(-2);
  m.add_words("a,b");
  m.add_words("");
  m.add_values(2.5);
  m.add_colors(testdata::TEST_COLOR_BLUE);
  m.add_colors(static_cast<testdata::TestColor>(3));
  m.add_children()->set_name("k");
  (*m.mutable_labels())["z"] = "1";
  (*m.mutable_labels())["a\""] = "";
  (*m.mutable_by_id())[10].set_count(1);
  (*m.mutable_by_id())[-2];
  (*m.mutable_color_by_name())["x"] = testdata::TEST_COLOR_RED;
  m.set_maybe(0);
  m.set_maybe_text("");
  m.set_choice_number(0);
  m.set_field_with_json_name("j");
  m.add_flags(false);
  (*m.mutable_by_flag())[true] = 1;
  (*m.mutable_by_flag())[false] = 0;
  EXPECT_EQ(ToJson(m), R"({"i32":-5,"i64":9007199254740993,"u32":4000000000,)"
                       R"("u64":18446744073709551615,"s32":-7,"dbl":0.1,"flt":1.5,"flag":true,)"
                       R"("text":"t","blob":"/wAB","color":"DarkGreen",)"
                       R"("child":{"name":"c","count":0,"child":{"count":-1}},)"
                       R"("numbers":[1,-2],"words":["a,b",""],"values":[2.5],)"
                       R"("colors":["Blue",3],"children":[{"name":"k","count":0}],)"
                       R"("labels":{"a\"":"","z":"1"},)"
                       R"("byId":{"-2":{"count":0},"10":{"count":1}},)"
                       R"("colorByName":{"x":"Red"},"maybe":0,"maybeText":"",)"
                       R"("choiceNumber":0,"customKey":"j","flags":[false],)"
                       R"("byFlag":{"false":0,"true":1}})");
  EXPECT_EQ(ToJson(TestAll()), R"({"i32":0,"i64":0,"u32":0,"u64":0,"s32":0,"dbl":0,"flt":0,)"
                               R"("flag":false,"color":"Red","numbers":[],"words":[],)"
                               R"("values":[],"colors":[],"children":[],"labels":{},"byId":{},)"
                               R"("colorByName":{},"flags":[],"byFlag":{}})");
}

TEST(JsonWriterTest, GenericMessageSamePathsAndDynamicMessage) {
  TestAll m;
  m.set_i64(-1);
  m.set_text("x\n");
  m.mutable_child()->mutable_child()->set_name("deep");
  m.add_children()->set_count(3);
  (*m.mutable_labels())["b"] = "2";
  (*m.mutable_labels())["a"] = "1";
  const std::string fast = ToJson(m);
  SetFastAccessEnabledForTesting(false);
  EXPECT_EQ(ToJson(m), fast);
  SetFastAccessEnabledForTesting(true);
  // A DynamicMessage of the same type has another Reflection: no offsets.
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<Message> dynamic(factory.GetPrototype(TestAll::descriptor())->New());
  ASSERT_TRUE(dynamic->ParseFromString(m.SerializeAsString()));
  EXPECT_EQ(ToJson(*dynamic), fast);
}

TEST(JsonWriterTest, NonFiniteDoublesAsStrings) {
  TestAll m;
  m.set_dbl(std::numeric_limits<double>::quiet_NaN());
  m.set_flt(-std::numeric_limits<float>::infinity());
  m.add_values(std::numeric_limits<double>::infinity());
  m.add_values(1e-300);
  const std::string json = ToJson(m);
  EXPECT_NE(json.find(R"("dbl":"NaN","flt":"-Infinity")"), std::string::npos);
  EXPECT_NE(json.find(R"("values":["Infinity",1e-300])"), std::string::npos);
}

// A response written around renderings of its sessions made earlier is the
// response written whole, byte for byte, for no sessions, one and several,
// with the response's other fields after them.
TEST(JsonWriterTest, SplicedElementsEqualWholeResponse) {
  const google::protobuf::FieldDescriptor* sessions_field =
      GetActiveSessionsResponse::descriptor()->FindFieldByName("sessions");
  for (int count : {0, 1, 3}) {
    GetActiveSessionsResponse whole;
    std::vector<std::string> renderings;
    for (int i = 0; i < count; ++i) {
      SessionInfo* session = whole.add_sessions();
      *session = i % 2 == 0 ? sample::FullSession() : sample::SmallSession();
      session->set_id("s" + std::to_string(i));
      renderings.push_back(ToJson(*session));
    }
    whole.set_next_page_token("next");
    whole.set_revision(42);
    GetActiveSessionsResponse rest = whole;
    rest.clear_sessions();
    const std::vector<std::string_view> elements(renderings.begin(), renderings.end());
    std::string spliced = "prefix:";
    JsonWriter::WriteSpliced(rest, sessions_field, elements, &spliced);
    EXPECT_EQ(spliced, "prefix:" + ToJson(whole)) << count << " sessions";
  }
}

}  // namespace
}  // namespace sessions::gateway
