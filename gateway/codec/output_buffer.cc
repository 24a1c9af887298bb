#include "gateway/codec/output_buffer.h"

#include <algorithm>

namespace sessions::gateway {

OutputBuffer::OutputBuffer(std::string* out) : out_(out) {
  pos_ = out->data() + out->size();
  end_ = pos_;
}

void OutputBuffer::Grow(size_t n) {
  constexpr size_t kMinChunk = 256;
  const size_t used = size();
  // Geometric growth; within the string's capacity a resize only zero-fills
  // the new chunk, and small appends (AppendJsonString) stay small.
  out_->resize(used + std::max({n, kMinChunk, used / 2}));
  pos_ = out_->data() + used;
  end_ = out_->data() + out_->size();
}

}  // namespace sessions::gateway
