// A bound on the request-body bytes all connections of one HTTP server hold
// at once. A connection reserves the declared Content-Length (a chunked
// body: the per-request maximum) after the headers arrive and before any
// body byte is read or allocated, and holds the reservation until its
// response is written. Without it every connection may buffer the maximum
// body before authentication (250 idle sockets took the process past 1 GB).
//
// Thread-safety: TryReserve() and in_use() are thread-safe; a Reservation
// is owned by one connection.
#ifndef GATEWAY_HTTP_BODY_BUDGET_H_
#define GATEWAY_HTTP_BODY_BUDGET_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>

namespace sessions::gateway {

class BodyBudget : public std::enable_shared_from_this<BodyBudget> {
 public:
  // Holds `bytes` of the budget until destroyed or reset. Move-only.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept { *this = std::move(other); }
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { Release(); }

    void Release();

   private:
    friend class BodyBudget;
    Reservation(std::shared_ptr<BodyBudget> budget, size_t bytes)
        : budget_(std::move(budget)), bytes_(bytes) {}

    std::shared_ptr<BodyBudget> budget_;
    size_t bytes_ = 0;
  };

  explicit BodyBudget(size_t capacity) : capacity_(capacity) {}

  // A reservation of `bytes`, or nullopt when it would take the bytes in
  // use past the capacity.
  std::optional<Reservation> TryReserve(size_t bytes);

  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_BODY_BUDGET_H_
