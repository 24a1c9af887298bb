#include "service/encoded_message.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sessions {
namespace {

// A rendering that shows what it was made from, counting its calls.
struct CountingRender {
  int* calls;
  bool operator()(absl::string_view data, std::string* out) const {
    ++*calls;
    absl::StrAppend(out, "<", data, ">");
    return true;
  }
};

std::unique_ptr<EncodedMessage> Message(std::string data, std::shared_ptr<RenderingBudget> budget) {
  auto message = std::make_unique<EncodedMessage>();
  message->data = std::move(data);
  message->set_rendering_budget(std::move(budget));
  return message;
}

TEST(EncodedMessageTest, RendersOncePerSlotAndAccountsForIt) {
  auto budget = std::make_shared<RenderingBudget>(1000);
  auto message = Message("abc", budget);
  int calls = 0;
  std::string scratch;
  EXPECT_EQ(*message->Rendering(0, CountingRender{&calls}, &scratch), "<abc>");
  scratch = "overwritten";  // a cached rendering does not live in scratch
  EXPECT_EQ(*message->Rendering(0, CountingRender{&calls}, &scratch), "<abc>");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*message->Rendering(1, CountingRender{&calls}, &scratch), "<abc>");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(budget->used(), 10);
  EXPECT_EQ(budget->renders(), 2);
  message.reset();  // the renderings go with the message
  EXPECT_EQ(budget->used(), 0);
}

TEST(EncodedMessageTest, PastTheBudgetRendersEveryTimeWithoutCaching) {
  auto budget = std::make_shared<RenderingBudget>(8);
  auto first = Message("12345", budget);   // "<12345>": 7 bytes, kept
  auto second = Message("67890", budget);  // would pass 8
  int calls = 0;
  std::string scratch;
  EXPECT_EQ(*first->Rendering(0, CountingRender{&calls}, &scratch), "<12345>");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*second->Rendering(0, CountingRender{&calls}, &scratch), "<67890>");
  }
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(budget->used(), 7);
  EXPECT_EQ(budget->uncached(), 3);
}

TEST(EncodedMessageTest, WithoutABudgetNothingIsCached) {
  EncodedMessage message;
  message.data = "x";
  int calls = 0;
  std::string scratch;
  EXPECT_EQ(*message.Rendering(0, CountingRender{&calls}, &scratch), "<x>");
  EXPECT_EQ(*message.Rendering(0, CountingRender{&calls}, &scratch), "<x>");
  EXPECT_EQ(calls, 2);
}

TEST(EncodedMessageTest, AFailedRenderingIsAnErrorAndNotCached) {
  auto budget = std::make_shared<RenderingBudget>(1000);
  auto message = Message("abc", budget);
  std::string scratch;
  auto failing = [](absl::string_view, std::string* out) {
    out->append("partial");
    return false;
  };
  absl::StatusOr<absl::string_view> rendering = message->Rendering(0, failing, &scratch);
  EXPECT_EQ(rendering.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(budget->used(), 0);
  int calls = 0;
  EXPECT_EQ(*message->Rendering(0, CountingRender{&calls}, &scratch), "<abc>");
  EXPECT_EQ(calls, 1);
}

TEST(EncodedMessageTest, ConcurrentReadersAgreeAndOneCopyIsKept) {
  auto budget = std::make_shared<RenderingBudget>(1 << 20);
  auto message = Message(std::string(1000, 'z'), budget);
  const std::string expected = absl::StrCat("<", message->data, ">");
  std::vector<std::thread> readers;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      int calls = 0;
      std::string scratch;
      for (int i = 0; i < 100; ++i) {
        if (*message->Rendering(0, CountingRender{&calls}, &scratch) != expected) ++mismatches[t];
      }
    });
  }
  for (auto& reader : readers) reader.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_EQ(budget->used(), static_cast<int64_t>(expected.size()));
}

}  // namespace
}  // namespace sessions
