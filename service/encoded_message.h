// A protobuf message held as its wire form (as the store keeps it), with
// its renderings in other formats (the REST gateway's JSON and JSV) made on
// first use and kept for the message's life. The live view's sessions are
// immutable (a change is a new entry), so one rendering serves every reader
// until the session changes, and it goes with the session.
//
// The renderings of all messages sharing one RenderingBudget hold at most
// its byte limit. Past it a rendering is made again on every use (what an
// answer cost before the cache, nothing worse); a message that found the
// budget full stays uncached even after room frees up (first come, first
// kept: no eviction policy until a workload needs one).
//
// Thread-safe: each rendering is published through one atomic pointer. Two
// readers that miss together both render, and one of them keeps its copy.
#ifndef SERVICE_ENCODED_MESSAGE_H_
#define SERVICE_ENCODED_MESSAGE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions {

// The memory every cached rendering sharing it may use. Thread-safe.
class RenderingBudget {
 public:
  explicit RenderingBudget(int64_t limit_bytes) : limit_(limit_bytes) {}

  // Takes `bytes` from the budget; false (and nothing taken) past the limit.
  bool TryReserve(int64_t bytes);
  void Release(int64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  int64_t limit() const { return limit_; }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Renderings made (cache misses), and those of them not kept (budget full).
  int64_t renders() const { return renders_.load(std::memory_order_relaxed); }
  int64_t uncached() const { return uncached_.load(std::memory_order_relaxed); }

 private:
  friend class EncodedMessage;
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> renders_{0};
  std::atomic<int64_t> uncached_{0};
};

class EncodedMessage {
 public:
  // Renderings per message: the caller numbers its formats 0..kSlots-1.
  static constexpr int kRenderingSlots = 2;
  // Appends the rendering of the message whose wire form is `data` to `out`;
  // false if `data` does not parse.
  using Render = absl::FunctionRef<bool(absl::string_view data, std::string* out)>;

  EncodedMessage() = default;
  ~EncodedMessage();
  EncodedMessage(const EncodedMessage&) = delete;
  EncodedMessage& operator=(const EncodedMessage&) = delete;

  // Where renderings are accounted; without one they are never cached. Set
  // before the message is shared.
  void set_rendering_budget(std::shared_ptr<RenderingBudget> budget) {
    budget_ = std::move(budget);
  }

  // The rendering in `slot`: the cached one, or the one `render` makes now
  // (in `*scratch`, cleared first; then cached if the budget allows). The
  // result stays valid while this message and `*scratch` do. INTERNAL (and
  // nothing cached) when `render` fails.
  absl::StatusOr<absl::string_view> Rendering(int slot, Render render, std::string* scratch) const;

  // The serialized message, as stored.
  std::string data;

 private:
  std::shared_ptr<RenderingBudget> budget_;
  mutable std::atomic<const std::string*> renderings_[kRenderingSlots] = {};
};

}  // namespace sessions

#endif  // SERVICE_ENCODED_MESSAGE_H_
