#include "gateway/transcode/response_body.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/encoded_message.h"
#include "service/encoded_response.h"
#include "storage/sample/session_factory.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::gateway {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::sessions::v1::SessionInfo;

// A page of distinct sessions as the live view holds them (stored bytes,
// renderings cached in `budget`), and the same page as a message.
struct Page {
  GetActiveSessionsResponse whole;
  GetActiveSessionsResponse rest;  // `whole` without its sessions
  EncodedResponse encoded;
};

std::unique_ptr<Page> MakePage(int count, std::shared_ptr<RenderingBudget> budget) {
  auto page = std::make_unique<Page>();
  for (int i = 0; i < count; ++i) {
    SessionInfo* session = page->whole.add_sessions();
    sample::FillSession(sample::AccountId(1), "session-" + std::to_string(i), i, sample::BaseTime(),
                        /*ended=*/false, session);
    auto element = std::make_shared<EncodedMessage>();
    element->data = session->SerializeAsString();
    element->set_rendering_budget(budget);
    page->encoded.elements.push_back(std::move(element));
  }
  page->whole.set_next_page_token("token-after-the-page");
  page->whole.set_revision(1234);
  page->rest = page->whole;
  page->rest.clear_sessions();
  page->encoded.message = &page->rest;
  return page;
}

std::string Written(const google::protobuf::Message& message, ResponseFormat format) {
  std::string body;
  WriteResponseBody(message, format, &body);
  return body;
}

TEST(ResponseBodyTest, EncodedAnswerIsTheMessageAnswerInEveryFormat) {
  for (ResponseFormat format : {ResponseFormat::kJson, ResponseFormat::kJsv}) {
    for (int count : {0, 1, 20}) {
      auto budget = std::make_shared<RenderingBudget>(1 << 20);
      auto page = MakePage(count, budget);
      const std::string expected = Written(page->whole, format);
      for (int pass = 0; pass < 2; ++pass) {  // rendering, then from the cache
        std::string body;
        ASSERT_TRUE(WriteEncodedResponseBody(page->encoded, format, &body).ok());
        EXPECT_EQ(body, expected) << count << " sessions, pass " << pass;
      }
      EXPECT_EQ(budget->renders(), count) << "each session rendered once";
      EXPECT_EQ(budget->uncached(), 0);
    }
  }
}

TEST(ResponseBodyTest, FormatsHaveTheirOwnRenderings) {
  auto budget = std::make_shared<RenderingBudget>(1 << 20);
  auto page = MakePage(3, budget);
  std::string json, jsv;
  ASSERT_TRUE(WriteEncodedResponseBody(page->encoded, ResponseFormat::kJson, &json).ok());
  ASSERT_TRUE(WriteEncodedResponseBody(page->encoded, ResponseFormat::kJsv, &jsv).ok());
  EXPECT_EQ(json, Written(page->whole, ResponseFormat::kJson));
  EXPECT_EQ(jsv, Written(page->whole, ResponseFormat::kJsv));
  EXPECT_EQ(budget->renders(), 6);
}

TEST(ResponseBodyTest, PastTheBudgetTheAnswerIsTheSame) {
  auto budget = std::make_shared<RenderingBudget>(0);  // nothing fits
  auto page = MakePage(5, budget);
  std::string body;
  ASSERT_TRUE(WriteEncodedResponseBody(page->encoded, ResponseFormat::kJson, &body).ok());
  EXPECT_EQ(body, Written(page->whole, ResponseFormat::kJson));
  EXPECT_EQ(budget->uncached(), 5);
  EXPECT_EQ(budget->used(), 0);
}

TEST(ResponseBodyTest, AnElementThatDoesNotParseIsAnInternalError) {
  auto page = MakePage(2, nullptr);
  auto broken = std::make_shared<EncodedMessage>();
  broken->data = "\x0a\xff";  // field 1, length 255, no bytes
  page->encoded.elements.push_back(broken);
  std::string body;
  EXPECT_EQ(WriteEncodedResponseBody(page->encoded, ResponseFormat::kJson, &body).code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace sessions::gateway
