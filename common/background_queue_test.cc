#include "common/background_queue.h"

#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(BackgroundQueueTest, RunsTasksInOrderOffTheCallersThread) {
  std::vector<int> ran;
  std::thread::id ran_on;
  {
    BackgroundQueue queue("bg-test", 16);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(queue.TryPost([&ran, &ran_on, i] {
        ran.push_back(i);
        ran_on = std::this_thread::get_id();
      }));
    }
  }  // the destructor runs what is queued
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(BackgroundQueueTest, AFullQueueDropsTasksInsteadOfGrowing) {
  absl::Notification release, started;
  int ran = 0;
  {
    BackgroundQueue queue("bg-test", 2);
    ASSERT_TRUE(queue.TryPost([&] {
      started.Notify();
      release.WaitForNotification();
    }));
    started.WaitForNotification();  // the worker is busy; two may wait
    EXPECT_TRUE(queue.TryPost([&] { ++ran; }));
    EXPECT_TRUE(queue.TryPost([&] { ++ran; }));
    EXPECT_FALSE(queue.TryPost([&] { ++ran; }));
    release.Notify();
  }
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace sessions
