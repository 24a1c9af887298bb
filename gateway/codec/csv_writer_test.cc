#include "gateway/codec/csv_writer.h"

#include <string>

#include "gateway/testing/testdata/echo_test.pb.h"
#include "gtest/gtest.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::gateway {
namespace {

namespace portal = voice::api::app::portal::v1;
namespace v1 = voice::api::sessions::v1;

// The header ServiceStack writes for SessionInfo: every property by its C#
// name, in declaration order (the EntityInfo ones last).
std::string SessionHeader() {
  std::string header;
  const google::protobuf::Descriptor* type = v1::SessionInfo::descriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    if (i > 0) header += ",";
    std::string name;
    bool upper = true;
    for (char c : type->field(i)->name()) {
      if (c == '_') {
        upper = true;
        continue;
      }
      name += upper ? static_cast<char>(std::toupper(c)) : c;
      upper = false;
    }
    header += name;
  }
  return header + "\r\n";
}

TEST(CsvWriterTest, OneRowPerSessionWithServiceStackCells) {
  portal::GetActiveSessionsResponse response;
  v1::SessionInfo* s = response.add_sessions();
  s->set_id("s1");
  s->set_display_name("Ada, \"the\" caller");
  s->set_call_state(v1::SESSION_CALL_STATE_RINGING);
  s->set_was_missed(true);
  auto* crumb = s->add_customer_breadcrumb();
  crumb->set_id("hq");
  crumb->set_name("Acme HQ");
  response.add_sessions()->set_id("s2");
  response.set_revision(7);  // not part of the table

  std::string csv;
  CsvWriter::Write(response, &csv);
  const std::string header = SessionHeader();
  ASSERT_EQ(csv.substr(0, header.size()), header);
  EXPECT_EQ(header.substr(0, 31), "DialState,CallState,QueueState,");
  const std::string rows = csv.substr(header.size());
  const size_t end = rows.find("\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string first = rows.substr(0, end);
  // Enums by C# name, the breadcrumb as JSV (quoted: it holds commas), the
  // display name quoted with its quotes doubled, booleans True/False,
  // empty strings and empty lists as ServiceStack writes them.
  EXPECT_EQ(first.substr(0, 17), "None,Ringing,None") << first;
  EXPECT_NE(first.find(",\"[{id:hq,name:Acme HQ}]\","), std::string::npos) << first;
  EXPECT_NE(first.find(",\"Ada, \"\"the\"\" caller\","), std::string::npos) << first;
  EXPECT_NE(first.find(",True,"), std::string::npos) << first;
  EXPECT_NE(first.find(",[],[],"), std::string::npos) << first;  // log, members
  // The EntityInfo columns last: Id, then the unset dates and users.
  EXPECT_EQ(first.substr(first.size() - 7), ",s1,,,,") << first;
  const std::string second = rows.substr(end + 2);
  EXPECT_EQ(second.substr(second.size() - 2), "\r\n");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

TEST(CsvWriterTest, AnEmptyListIsTheHeaderAlone) {
  portal::GetActiveSessionsResponse response;
  std::string csv;
  CsvWriter::Write(response, &csv);
  EXPECT_EQ(csv, SessionHeader());
}

TEST(CsvWriterTest, AMessageFieldIsOneRowAndNoCandidateIsTheResponseItself) {
  testdata::EchoResponse echo;
  echo.mutable_echoed()->set_id("x,y");
  echo.mutable_echoed()->add_tags("a");
  echo.mutable_echoed()->add_tags("b");
  echo.set_authorization("Bearer t");
  std::string csv;
  CsvWriter::Write(echo, &csv);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "Id,Count,Big,Small,Flag,Ratio,Color,Tags,Inner,Labels,AccountId,Items");
  // An unset message is an empty cell; an empty map {}.
  EXPECT_EQ(csv.substr(csv.find("\r\n") + 2), "\"x,y\",0,0,0,False,0,Red,\"[a,b]\",,{},,[]\r\n");

  testdata::BigResponse big;
  big.set_text("hello");
  csv.clear();
  CsvWriter::Write(big, &csv);
  EXPECT_EQ(csv, "Text\r\nhello\r\n");
}

}  // namespace
}  // namespace sessions::gateway
