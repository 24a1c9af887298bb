#include "common/name_case.h"

#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(NameCaseTest, CamelToUpperSnake) {
  EXPECT_EQ(CamelToUpperSnake("SessionCallState"), "SESSION_CALL_STATE");
  EXPECT_EQ(CamelToUpperSnake("HTTPCode"), "HTTP_CODE");
  EXPECT_EQ(CamelToUpperSnake("Fax2Email"), "FAX2_EMAIL");
  EXPECT_EQ(CamelToUpperSnake("Flow"), "FLOW");
  EXPECT_EQ(CamelToUpperSnake(""), "");
}

TEST(NameCaseTest, SnakeToPascal) {
  EXPECT_EQ(SnakeToPascal("start_date"), "StartDate");
  EXPECT_EQ(SnakeToPascal("session.account_id"), "Session.AccountId");
  EXPECT_EQ(SnakeToPascal("startDate"), "StartDate");  // other letters keep their case
  EXPECT_EQ(SnakeToPascal("ringing"), "Ringing");
  EXPECT_EQ(SnakeToPascal("on_hold_"), "OnHold");
}

TEST(NameCaseTest, LooseNameKeyMatchesEverySpelling) {
  EXPECT_EQ(LooseNameKey("accountId"), "accountid");
  EXPECT_EQ(LooseNameKey("account_id"), "accountid");
  EXPECT_EQ(LooseNameKey("AccountID"), "accountid");
  EXPECT_NE(LooseNameKey("account_id"), LooseNameKey("accounts_id"));
}

}  // namespace
}  // namespace sessions
