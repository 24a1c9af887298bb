// OutputBuffer: how the JSON and JSV writers append to a std::string.
#ifndef GATEWAY_CODEC_OUTPUT_BUFFER_H_
#define GATEWAY_CODEC_OUTPUT_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sessions::gateway {

// The writers' output: appends to a std::string through a raw pointer with
// one capacity check per append, growing the string in chunks, and trims it
// to what was written when destroyed. `out` is not owned and must not be
// touched while the buffer exists. Not thread-safe.
class OutputBuffer {
 public:
  explicit OutputBuffer(std::string* out);
  ~OutputBuffer() { out_->resize(pos_ - out_->data()); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // Returns the write position, with room for at least `n` bytes; write
  // there, then Commit() the new position.
  char* Reserve(size_t n) {
    if (static_cast<size_t>(end_ - pos_) < n) Grow(n);
    return pos_;
  }
  void Commit(char* pos) { pos_ = pos; }

  void append(const char* data, size_t n) {
    std::memcpy(Reserve(n), data, n);
    pos_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void push_back(char c) {
    *Reserve(1) = c;
    ++pos_;
  }
  size_t size() const { return pos_ - out_->data(); }
  char& operator[](size_t i) { return (*out_)[i]; }

 private:
  void Grow(size_t n);

  std::string* out_;
  char* pos_;
  char* end_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_OUTPUT_BUFFER_H_
