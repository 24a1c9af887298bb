#include "service/grpc/unread_answers.h"

namespace sessions {

bool UnreadAnswers::TryAcquire(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  int& count = unread_[token_id];
  if (count >= max_per_token_) {
    if (count == 0) unread_.erase(token_id);
    return false;
  }
  ++count;
  return true;
}

void UnreadAnswers::Release(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  auto it = unread_.find(token_id);
  if (it == unread_.end()) return;
  if (--it->second <= 0) unread_.erase(it);
}

}  // namespace sessions
