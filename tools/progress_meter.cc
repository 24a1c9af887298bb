#include "tools/progress_meter.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sessions::tools {
namespace {

// "1h02m", "3m05s", "42s".
std::string Eta(absl::Duration left) {
  const int64_t s = absl::ToInt64Seconds(left);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

}  // namespace

ProgressMeter::ProgressMeter(std::string label, int64_t total, std::ostream* out, bool enabled,
                             std::function<absl::Time()> clock, absl::Duration min_interval)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(enabled),
      clock_(std::move(clock)),
      min_interval_(min_interval),
      start_(clock_()) {}

bool ProgressMeter::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

std::string ProgressMeter::Line(int64_t done, absl::Time now) const {
  const double seconds = absl::ToDoubleSeconds(now - start_);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = absl::StrCat(label_, ": ", done);
  if (total_ > 0) {
    absl::StrAppend(&line, "/", total_, absl::StrFormat(" (%d%%)", done * 100 / total_));
  }
  absl::StrAppend(&line, absl::StrFormat(", %.0f/s", rate));
  if (total_ > 0 && rate > 0 && done < total_) {
    absl::StrAppend(&line, ", ETA ",
                    Eta(absl::Seconds(std::ceil(static_cast<double>(total_ - done) / rate))));
  }
  return line;
}

void ProgressMeter::Draw(int64_t done, absl::Time now) {
  const std::string line = Line(done, now);
  // Pads over the remains of a longer previous line.
  *out_ << '\r' << line
        << std::string(last_width_ > line.size() ? last_width_ - line.size() : 0, ' ');
  out_->flush();
  last_width_ = line.size();
  last_draw_ = now;
}

void ProgressMeter::Update(int64_t done) {
  if (!enabled_) return;
  const absl::Time now = clock_();
  if (now - last_draw_ < min_interval_) return;
  Draw(done, now);
}

void ProgressMeter::Finish(int64_t done) {
  if (!enabled_) return;
  Draw(done, clock_());
  *out_ << '\n';
}

}  // namespace sessions::tools
