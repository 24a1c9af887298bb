// Progress of a long sessionsctl operation (import, export) on a terminal:
// one line rewritten in place with the count, the rate and, when the total
// is known, the percentage and the time left. Silent when disabled (the
// caller disables it when stderr is not a terminal: piped output and logs
// get the final summary line only).
//
// Thread-compatible: one operation drives it.
#ifndef TOOLS_PROGRESS_METER_H_
#define TOOLS_PROGRESS_METER_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sessions::tools {

class ProgressMeter {
 public:
  // `total` 0: unknown (no percentage, no ETA). `clock` is injectable for
  // tests. Redraws at most every `min_interval`.
  ProgressMeter(std::string label, int64_t total, std::ostream* out, bool enabled,
                std::function<absl::Time()> clock = absl::Now,
                absl::Duration min_interval = absl::Milliseconds(200));

  // `done` items are finished so far.
  void Update(int64_t done);
  // Draws the final state and ends the line (nothing when disabled).
  void Finish(int64_t done);

  // The line for `done` items at `now` (exposed for tests).
  std::string Line(int64_t done, absl::Time now) const;

  // Whether progress should show by default: stderr is a terminal.
  static bool StderrIsTerminal();

 private:
  void Draw(int64_t done, absl::Time now);

  const std::string label_;
  const int64_t total_;
  std::ostream* const out_;
  const bool enabled_;
  const std::function<absl::Time()> clock_;
  const absl::Duration min_interval_;
  const absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  size_t last_width_ = 0;
};

}  // namespace sessions::tools

#endif  // TOOLS_PROGRESS_METER_H_
