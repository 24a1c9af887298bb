#include "service/grpc/unread_answers.h"

#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(UnreadAnswersTest, BoundsEachTokenOnItsOwnAndGivesPlacesBack) {
  UnreadAnswers unread(2);
  EXPECT_TRUE(unread.TryAcquire("a"));
  EXPECT_TRUE(unread.TryAcquire("a"));
  EXPECT_FALSE(unread.TryAcquire("a"));  // a's client has read nothing
  EXPECT_TRUE(unread.TryAcquire("b"));   // another token is not affected
  unread.Release("a");
  EXPECT_TRUE(unread.TryAcquire("a"));
  EXPECT_FALSE(unread.TryAcquire("a"));
  unread.Release("a");
  unread.Release("a");
  unread.Release("a");  // more releases than places: no negative credit
  EXPECT_TRUE(unread.TryAcquire("a"));
  EXPECT_TRUE(unread.TryAcquire("a"));
  EXPECT_FALSE(unread.TryAcquire("a"));
}

}  // namespace
}  // namespace sessions
