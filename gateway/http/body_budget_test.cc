#include "gateway/http/body_budget.h"

#include <memory>
#include <optional>
#include <utility>

#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

TEST(BodyBudgetTest, ReservesUpToCapacityAndReleasesOnDestruction) {
  auto budget = std::make_shared<BodyBudget>(100);
  std::optional<BodyBudget::Reservation> a = budget->TryReserve(60);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget->TryReserve(41).has_value());
  std::optional<BodyBudget::Reservation> b = budget->TryReserve(40);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(budget->in_use(), 100u);
  a.reset();
  EXPECT_EQ(budget->in_use(), 40u);
  b->Release();
  EXPECT_EQ(budget->in_use(), 0u);
  b.reset();  // a released reservation gives nothing back twice
  EXPECT_EQ(budget->in_use(), 0u);
}

TEST(BodyBudgetTest, MovedReservationReleasesOnce) {
  auto budget = std::make_shared<BodyBudget>(10);
  std::optional<BodyBudget::Reservation> a = budget->TryReserve(7);
  ASSERT_TRUE(a.has_value());
  BodyBudget::Reservation moved = std::move(*a);
  a.reset();
  EXPECT_EQ(budget->in_use(), 7u);
  moved = BodyBudget::Reservation();
  EXPECT_EQ(budget->in_use(), 0u);
}

TEST(BodyBudgetTest, MoreThanTheCapacityIsNeverReserved) {
  auto budget = std::make_shared<BodyBudget>(10);
  EXPECT_FALSE(budget->TryReserve(11).has_value());
  EXPECT_FALSE(budget->TryReserve(static_cast<size_t>(-1)).has_value());
  EXPECT_EQ(budget->in_use(), 0u);
}

}  // namespace
}  // namespace sessions::gateway
