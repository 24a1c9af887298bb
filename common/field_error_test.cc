#include "common/field_error.h"

#include <optional>

#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(FieldErrorTest, NamesTheFieldAsDataAndInTheMessage) {
  const absl::Status status = FieldError("session.members[2].identity", "required");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "session.members[2].identity: required");
  EXPECT_EQ(ErrorField(status), "session.members[2].identity");
  EXPECT_EQ(ErrorFieldProblem(status), "required");
  const std::optional<FieldViolation> violation = ErrorFieldViolation(status);
  ASSERT_TRUE(violation.has_value());
  EXPECT_EQ(violation->field, "session.members[2].identity");
  EXPECT_EQ(violation->problem, "required");
}

TEST(FieldErrorTest, ATextThatLooksLikeAFieldIsNotOne) {
  const absl::Status status = absl::InvalidArgumentError("start_date: expected a date");
  EXPECT_FALSE(ErrorField(status).has_value());
  EXPECT_FALSE(ErrorFieldViolation(status).has_value());
  EXPECT_EQ(ErrorFieldProblem(status), "start_date: expected a date");
}

TEST(FieldErrorTest, SurvivesCopies) {
  absl::Status copy = FieldError("page_size", "must not be negative");
  const absl::Status again = copy;
  EXPECT_EQ(ErrorField(again), "page_size");
}

}  // namespace
}  // namespace sessions
