#include "tools/progress_meter.h"

#include <sstream>

#include "gtest/gtest.h"

namespace sessions::tools {
namespace {

class FakeClock {
 public:
  absl::Time Now() const { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1795000000);
};

TEST(ProgressMeterTest, ShowsCountPercentRateAndTimeLeft) {
  FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter("import", 10000, &out, true, [&] { return clock.Now(); });
  clock.Advance(absl::Seconds(2));
  EXPECT_EQ(meter.Line(2500, clock.Now()), "import: 2500/10000 (25%), 1250/s, ETA 6s");
  clock.Advance(absl::Seconds(98));
  EXPECT_EQ(meter.Line(2500, clock.Now()), "import: 2500/10000 (25%), 25/s, ETA 5m00s");
  EXPECT_EQ(meter.Line(10000, clock.Now()), "import: 10000/10000 (100%), 100/s");
}

TEST(ProgressMeterTest, UnknownTotalShowsCountAndRateOnly) {
  FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter("export", 0, &out, true, [&] { return clock.Now(); });
  clock.Advance(absl::Seconds(4));
  EXPECT_EQ(meter.Line(800, clock.Now()), "export: 800, 200/s");
}

TEST(ProgressMeterTest, RedrawsInPlaceAtMostEveryInterval) {
  FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter(
      "import", 100, &out, true, [&] { return clock.Now(); }, absl::Milliseconds(200));
  clock.Advance(absl::Seconds(1));
  meter.Update(10);
  clock.Advance(absl::Milliseconds(50));
  meter.Update(11);  // too soon: not drawn
  clock.Advance(absl::Milliseconds(200));
  meter.Update(12);
  meter.Finish(100);
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_NE(text.find("import: 10/100"), std::string::npos);
  EXPECT_EQ(text.find("import: 11/100"), std::string::npos);
  EXPECT_NE(text.find("import: 12/100"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressMeterTest, DisabledWritesNothing) {
  std::ostringstream out;
  ProgressMeter meter("import", 100, &out, false);
  meter.Update(50);
  meter.Finish(100);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace sessions::tools
