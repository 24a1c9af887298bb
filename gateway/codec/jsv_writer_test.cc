// Tests for JsvWriter (ServiceStack JSV).

#include "gateway/codec/jsv_writer.h"

#include <string>
#include <string_view>
#include <vector>

#include "gateway/codec/field_plan.h"
#include "gtest/gtest.h"
#include "storage/sample/session_factory.h"
#include "testdata/writer_test.pb.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::gateway {
namespace {

using google::protobuf::Message;
using sessions::gateway::testdata::TestAll;
using voice::api::app::portal::v1::GetActiveSessionsResponse;
using voice::api::sessions::v1::SessionInfo;

std::string ToJsv(const Message& msg) {
  std::string out;
  JsvWriter::Write(msg, &out);
  return out;
}

TEST(JsvWriterTest, SmallSessionGolden) {
  GetActiveSessionsResponse response;
  *response.add_sessions() = sample::SmallSession();
  EXPECT_EQ(ToJsv(response),
            "{sessions:[{dialState:None,callState:Disconnected,queueState:None,"
            "accountId:acc1,customerBreadcrumb:[{id:c1,name:Top}],"
            "channel:Voice,ended:False,holdReason:None,"
            "log:[{date:2026-11-25,message:hi}],"
            "members:[{identity:u1,isOriginalMember:False,"
            "applicationData:{k:v},callState:None,role:None,muted:True}],"
            "direction:Incoming,wasMissed:False,id:s1}],revision:0}");
}

TEST(JsvWriterTest, DefaultsAndEmptyResponse) {
  EXPECT_EQ(ToJsv(SessionInfo()),
            "{dialState:None,callState:Disconnected,queueState:None,"
            "customerBreadcrumb:[],channel:Voice,ended:False,holdReason:None,"
            "log:[],members:[],direction:Incoming,wasMissed:False}");
  EXPECT_EQ(ToJsv(GetActiveSessionsResponse()), "{sessions:[],revision:0}");
}

TEST(JsvWriterTest, FullSessionGolden) {
  const std::string member1 =
      "{identity:identity-1,endpointId:member-endpoint-1,"
      "displayName:\"Member \"\"1\"\"\",isOriginalMember:True,"
      "avatarUrl:\"https://cdn.example.com/a/1.png\","
      "applicationData:{agent:Agent 1,skill:\"sales, tier:2\"},"
      "callState:Hold,role:Agent,callSid:CAmember1,muted:False}";
  const std::string member2 =
      "{identity:identity-2,endpointId:member-endpoint-2,"
      "displayName:\"Member \"\"2\"\"\",isOriginalMember:False,"
      "avatarUrl:\"https://cdn.example.com/a/2.png\","
      "applicationData:{agent:Agent 2,skill:\"sales, tier:2\"},"
      "callState:Hold,role:Agent,callSid:CAmember2,muted:True}";
  EXPECT_EQ(ToJsv(sample::FullSession()),
            "{dialState:Active,callState:Connected,queueState:Queued,"
            "accountId:acc_0000000000000000001,accountName:Acme Telephony,"
            "customerId:cus_0000000000000000002,"
            "customerBreadcrumb:[{id:cus_top,name:Top Customer},"
            "{id:cus_0000000000000000002,name:Sub Customer}],"
            "customerName:Sub Customer,endpointId:end_0000000000000000003,"
            "endpointName:Front desk,dateCompleted:\"2026-11-25T10:05:00Z\","
            "destination:+15551234567,toAddress:+15551234567,"
            "fromAddress:+15557654321,fromName:Zoë Müller,"
            "answeredByName:Agent Smith,queueMemberId:qm_1,channel:Fax,"
            "ended:True,outcome:answered,callSid:CA0123456789abcdef,"
            "consoleData:\"{\"\"k\"\":\"\"v\\n\"\"}\t\x01\","
            "holdQueueName:Hold Q,heldByUserId:usr_9,holdReason:Transferring,"
            "conferenceSid:CF42,displayName:Call with Zoë,"
            "log:[{date:\"2026-11-25T10:00:00Z\",message:Call started},"
            "{date:\"2026-11-25T10:01:00Z\","
            "message:\"Transferred to [queue], then: answered\"}],"
            "members:[" +
                member1 + "," + member2 +
                "],"
                "callbackNumber:+15550000000,answeredById:end_answer,"
                "direction:Outgoing,fromPhoneNumber:+15557654321,"
                "mostRecentParticipantCallSid:CArecent,wasMissed:True,"
                "ringQueueId:rq_7,id:ses_0000000000000000042,"
                "dateCreated:\"2026-11-25T10:00:00Z\","
                "dateLastModified:\"2026-11-25T10:05:00Z\","
                "createdBy:usr_creator,lastModifiedBy:usr_modifier}");
}

TEST(JsvWriterTest, FastPathEqualsReflectionPath) {
  GetActiveSessionsResponse response;
  *response.add_sessions() = sample::FullSession();
  response.add_sessions();
  const std::string fast = ToJsv(response);
  SetFastAccessEnabledForTesting(false);
  const std::string slow = ToJsv(response);
  SetFastAccessEnabledForTesting(true);
  EXPECT_EQ(slow, fast);
}

TEST(JsvWriterTest, GenericMessageGolden) {
  TestAll m;
  m.set_i64(-9007199254740993);
  m.set_dbl(2.5);
  m.set_flag(true);
  m.set_text("a:b");
  m.set_blob("\xff\x00\x01", 3);
  m.set_color(testdata::TEST_COLOR_DARK_GREEN);
  m.mutable_child()->set_name("c");
  m.add_words("x");
  m.add_words("");
  m.add_colors(static_cast<testdata::TestColor>(3));
  (*m.mutable_labels())["k,1"] = "v";
  (*m.mutable_by_id())[7].set_count(2);
  (*m.mutable_by_flag())[true] = 1;
  m.set_maybe_text("");
  EXPECT_EQ(ToJsv(m),
            "{i32:0,i64:-9007199254740993,u32:0,u64:0,s32:0,dbl:2.5,flt:0,"
            "flag:True,text:\"a:b\",blob:/wAB,color:DarkGreen,"
            "child:{name:c,count:0},numbers:[],words:[x,\"\"],values:[],"
            "colors:[3],children:[],labels:{\"k,1\":v},"
            "byId:{7:{count:2}},colorByName:{},maybeText:\"\",flags:[],"
            "byFlag:{True:1}}");
}

// A response written around renderings of its sessions made earlier is the
// response written whole, byte for byte, for no sessions, one and several,
// with the response's other fields after them.
TEST(JsvWriterTest, SplicedElementsEqualWholeResponse) {
  const google::protobuf::FieldDescriptor* sessions_field =
      GetActiveSessionsResponse::descriptor()->FindFieldByName("sessions");
  for (int count : {0, 1, 3}) {
    GetActiveSessionsResponse whole;
    std::vector<std::string> renderings;
    for (int i = 0; i < count; ++i) {
      SessionInfo* session = whole.add_sessions();
      *session = i % 2 == 0 ? sample::FullSession() : sample::SmallSession();
      session->set_id("s" + std::to_string(i));
      renderings.push_back(ToJsv(*session));
    }
    whole.set_next_page_token("next");
    whole.set_revision(42);
    GetActiveSessionsResponse rest = whole;
    rest.clear_sessions();
    const std::vector<std::string_view> elements(renderings.begin(), renderings.end());
    std::string spliced = "prefix:";
    JsvWriter::WriteSpliced(rest, sessions_field, elements, &spliced);
    EXPECT_EQ(spliced, "prefix:" + ToJsv(whole)) << count << " sessions";
  }
}

}  // namespace
}  // namespace sessions::gateway
