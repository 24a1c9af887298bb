#include "service/encoded_response.h"

#include <memory>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "storage/sample/session_factory.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::WatchActiveSessionsResponse;
using ::voice::api::sessions::v1::SessionInfo;

std::shared_ptr<const EncodedMessage> Encoded(const SessionInfo& session) {
  auto message = std::make_shared<EncodedMessage>();
  message->data = session.SerializeAsString();
  return message;
}

// Sessions whose serialization is canonical: protobuf writes a map of more
// than one entry in an order that differs between message instances, so
// parsing and serializing again (what the message path does) may reorder
// it. At most one entry per map here; the realistic sessions are compared
// as messages below.
std::vector<SessionInfo> CanonicalSessions() {
  SessionInfo full = sample::FullSession();
  for (auto& member : *full.mutable_members()) {
    auto* data = member.mutable_application_data();
    while (data->size() > 1) data->erase(data->begin());
  }
  SessionInfo small = sample::SmallSession();
  return {full, small, SessionInfo(), full};
}

TEST(EncodedResponseTest, TheElementsFieldIsTheFirstRepeatedMessageField) {
  EXPECT_EQ(ElementsFieldOf(*GetActiveSessionsResponse::descriptor()),
            GetActiveSessionsResponse::descriptor()->FindFieldByName("sessions"));
  // Its sessions are field 3, after the type and revision.
  EXPECT_EQ(ElementsFieldOf(*WatchActiveSessionsResponse::descriptor()), nullptr);
  EXPECT_EQ(ElementsFieldOf(*SessionInfo::descriptor()), nullptr);  // first field a string
}

TEST(EncodedResponseTest, WireFormIsTheMessagesSerializationByteForByte) {
  for (const bool with_tail : {false, true}) {
    GetActiveSessionsResponse expected;
    GetActiveSessionsResponse tail;
    EncodedResponse response;
    response.message = &tail;
    for (const SessionInfo& session : CanonicalSessions()) {
      *expected.add_sessions() = session;
      response.elements.push_back(Encoded(session));
    }
    if (with_tail) {
      for (auto* message : {&expected, &tail}) {
        message->set_next_page_token("v1:123:abc");
        message->set_revision(987654321);
      }
    }
    std::string wire = "prefix";  // appended, not replaced
    AppendWireForm(response, &wire);
    EXPECT_EQ(wire, "prefix" + expected.SerializeAsString()) << "with_tail=" << with_tail;
  }
}

TEST(EncodedResponseTest, NoElementsIsTheRestAlone) {
  GetActiveSessionsResponse tail;
  tail.set_revision(5);
  EncodedResponse response{&tail, {}};
  std::string wire;
  AppendWireForm(response, &wire);
  EXPECT_EQ(wire, tail.SerializeAsString());
}

TEST(EncodedResponseTest, RealisticSessionsParseBackToTheSameAnswer) {
  GetActiveSessionsResponse expected;
  GetActiveSessionsResponse tail;
  tail.set_revision(42);
  expected.set_revision(42);
  EncodedResponse response{&tail, {}};
  for (int i = 0; i < 20; ++i) {
    SessionInfo session;
    sample::FillSession(sample::AccountId(1), "session-" + std::to_string(i), i,
                        sample::BaseTime() + absl::Seconds(i), false, &session);
    *expected.add_sessions() = session;
    response.elements.push_back(Encoded(session));
  }
  std::string wire;
  AppendWireForm(response, &wire);
  GetActiveSessionsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, expected));
  EXPECT_EQ(wire.size(), expected.ByteSizeLong());
}

TEST(EncodedResponseTest, MergeElementsParsesThemIntoTheMessage) {
  GetActiveSessionsResponse message;
  EncodedResponse response{&message, {}};
  for (const SessionInfo& session : CanonicalSessions())
    response.elements.push_back(Encoded(session));
  ASSERT_TRUE(MergeElements(response).ok());
  ASSERT_EQ(message.sessions_size(), 4);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(message.sessions(1),
                                                                 sample::SmallSession()));
  auto garbage = std::make_shared<EncodedMessage>();
  garbage->data = "\xff\xff\xff";
  response.elements = {garbage};
  EXPECT_EQ(MergeElements(response).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace sessions
