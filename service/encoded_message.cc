#include "service/encoded_message.h"

namespace sessions {

bool RenderingBudget::TryReserve(int64_t bytes) {
  if (used_.fetch_add(bytes, std::memory_order_relaxed) + bytes <= limit_) return true;
  used_.fetch_sub(bytes, std::memory_order_relaxed);
  return false;
}

EncodedMessage::~EncodedMessage() {
  for (auto& slot : renderings_) {
    const std::string* rendering = slot.load(std::memory_order_relaxed);
    if (rendering == nullptr) continue;
    budget_->Release(static_cast<int64_t>(rendering->size()));
    delete rendering;
  }
}

absl::StatusOr<absl::string_view> EncodedMessage::Rendering(int slot, Render render,
                                                            std::string* scratch) const {
  std::atomic<const std::string*>& cached = renderings_[slot];
  if (const std::string* rendering = cached.load(std::memory_order_acquire)) return *rendering;
  scratch->clear();
  if (!render(data, scratch)) return absl::InternalError("a stored message does not parse");
  if (budget_ == nullptr) return *scratch;
  budget_->renders_.fetch_add(1, std::memory_order_relaxed);
  const auto size = static_cast<int64_t>(scratch->size());
  if (!budget_->TryReserve(size)) {
    budget_->uncached_.fetch_add(1, std::memory_order_relaxed);
    return *scratch;
  }
  // A copy, so that the cache holds exactly the rendering's size.
  const std::string* mine = new std::string(*scratch);
  const std::string* expected = nullptr;
  if (cached.compare_exchange_strong(expected, mine, std::memory_order_acq_rel)) return *mine;
  // Another reader published first: keep theirs.
  budget_->Release(size);
  delete mine;
  return absl::string_view(*expected);
}

}  // namespace sessions
