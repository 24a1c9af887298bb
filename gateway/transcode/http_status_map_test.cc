#include "gateway/transcode/http_status_map.h"

#include <string>

#include "common/field_error.h"
#include "gateway/transcode/response_status.h"
#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

struct Row {
  absl::StatusCode code;
  int http;
  const char* error_code;
};

// Every canonical code (grpc-gateway's mapping).
constexpr Row kTable[] = {
    {absl::StatusCode::kOk, 200, "Ok"},
    {absl::StatusCode::kCancelled, 499, "Cancelled"},
    {absl::StatusCode::kUnknown, 500, "InternalServerError"},
    {absl::StatusCode::kInvalidArgument, 400, "InvalidArgument"},
    {absl::StatusCode::kDeadlineExceeded, 504, "DeadlineExceeded"},
    {absl::StatusCode::kNotFound, 404, "NotFound"},
    {absl::StatusCode::kAlreadyExists, 409, "AlreadyExists"},
    {absl::StatusCode::kPermissionDenied, 403, "Forbidden"},
    {absl::StatusCode::kResourceExhausted, 429, "ResourceExhausted"},
    {absl::StatusCode::kFailedPrecondition, 400, "FailedPrecondition"},
    {absl::StatusCode::kAborted, 409, "Aborted"},
    {absl::StatusCode::kOutOfRange, 400, "OutOfRange"},
    {absl::StatusCode::kUnimplemented, 501, "NotImplemented"},
    {absl::StatusCode::kInternal, 500, "InternalServerError"},
    {absl::StatusCode::kUnavailable, 503, "ServiceUnavailable"},
    {absl::StatusCode::kDataLoss, 500, "InternalServerError"},
    {absl::StatusCode::kUnauthenticated, 401, "Unauthorized"},
};

TEST(HttpStatusMapTest, EveryCode) {
  for (const Row& row : kTable) {
    EXPECT_EQ(HttpStatusFromCode(row.code), row.http) << static_cast<int>(row.code);
    EXPECT_EQ(ErrorCodeName(row.code), row.error_code) << static_cast<int>(row.code);
  }
  EXPECT_EQ(HttpStatusFromCode(static_cast<absl::StatusCode>(99)), 500);
}

TEST(HttpStatusMapTest, ServerErrorsAreGeneric) {
  HttpError e = HttpErrorFromStatus(absl::InternalError("SELECT * FROM sessions: /var/db locked"));
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.message, "internal error");
  EXPECT_EQ(HttpErrorFromStatus(absl::UnavailableError("db at /x")).message, "service unavailable");
  EXPECT_EQ(HttpErrorFromStatus(absl::UnimplementedError("not yet")).message, "not yet");
}

TEST(HttpStatusMapTest, FieldErrors) {
  HttpError e =
      HttpErrorFromStatus(FieldError("start_date", "expected an ISO-8601 date or date-time"));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.field_name, "StartDate");
  EXPECT_EQ(e.field_message, "expected an ISO-8601 date or date-time");
  EXPECT_EQ(e.message, "start_date: expected an ISO-8601 date or date-time");
  EXPECT_EQ(HttpErrorFromStatus(FieldError("session.account_id", "empty")).field_name,
            "Session.AccountId");
  // Indexed paths stay in the message (what clients have always received).
  EXPECT_TRUE(HttpErrorFromStatus(FieldError("sessions[0].id", "required")).field_name.empty());
  // The field comes from the status' data, never from its text.
  EXPECT_TRUE(HttpErrorFromStatus(absl::InvalidArgumentError("bad thing: x")).field_name.empty());
  EXPECT_TRUE(HttpErrorFromStatus(absl::InvalidArgumentError("start_date: looks like one"))
                  .field_name.empty());
}

TEST(ResponseStatusTest, JsonAndJsvBodies) {
  HttpError e = HttpErrorFromStatus(FieldError("start_date", "bad \"x\""));
  EXPECT_EQ(
      RenderResponseStatus(e, ResponseFormat::kJson),
      R"({"responseStatus":{"errorCode":"InvalidArgument","message":"start_date: bad \"x\"",)"
      R"("errors":[{"errorCode":"InvalidArgument","fieldName":"StartDate","message":"bad \"x\""}]}})");
  HttpError nf{404, "NotFound", "no route for this path"};
  EXPECT_EQ(RenderResponseStatus(nf, ResponseFormat::kJson),
            R"({"responseStatus":{"errorCode":"NotFound","message":"no route for this path"}})");
  EXPECT_EQ(RenderResponseStatus(nf, ResponseFormat::kJsv),
            R"({responseStatus:{errorCode:NotFound,message:no route for this path}})");
}

}  // namespace
}  // namespace sessions::gateway
