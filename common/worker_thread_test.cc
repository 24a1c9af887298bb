#include "common/worker_thread.h"

#include <pthread.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(WorkerThreadTest, RunsTheBodyOnANamedThread) {
  std::string name;
  std::thread::id id;
  {
    WorkerThread thread("store-writer-with-a-long-name", [&] {
      char buffer[16] = {};
      pthread_getname_np(pthread_self(), buffer, sizeof buffer);
      name = buffer;
      id = std::this_thread::get_id();
    });
    thread.Join();
  }
  EXPECT_EQ(name, "store-writer-wi");  // the kernel keeps 15 characters
  EXPECT_NE(id, std::this_thread::get_id());
}

TEST(WorkerThreadTest, JoinWaitsForTheBodyAndIsIdempotentAcrossThreads) {
  absl::Notification release;
  bool finished = false;
  WorkerThread thread("worker", [&] {
    release.WaitForNotificationWithTimeout(absl::Seconds(60));
    finished = true;
  });
  std::vector<std::thread> joiners;
  std::vector<int> saw_finished(3, 0);
  for (int i = 0; i < 3; ++i) {
    joiners.emplace_back([&, i] {
      thread.Join();
      saw_finished[i] = finished ? 1 : 0;
    });
  }
  release.Notify();
  for (std::thread& t : joiners) t.join();
  thread.Join();  // once more, after the others
  EXPECT_EQ(saw_finished, std::vector<int>({1, 1, 1}));
}

}  // namespace
}  // namespace sessions
