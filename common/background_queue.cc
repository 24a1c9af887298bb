#include "common/background_queue.h"

#include <algorithm>
#include <utility>

namespace sessions {

BackgroundQueue::BackgroundQueue(std::string name, size_t max_pending)
    : max_pending_(std::max<size_t>(1, max_pending)) {
  thread_.emplace(std::move(name), [this] { Loop(); });
}

BackgroundQueue::~BackgroundQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_->Join();
}

bool BackgroundQueue::TryPost(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || tasks_.size() >= max_pending_) return false;
  tasks_.push_back(std::move(task));
  return true;
}

void BackgroundQueue::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](BackgroundQueue* q)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) { return q->stopping_ || !q->tasks_.empty(); },
          this));
      if (tasks_.empty()) return;  // stopping, and nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace sessions
