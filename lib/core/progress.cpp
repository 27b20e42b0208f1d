#include "core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/strings.h"

namespace gpt2 {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long total = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (total >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                  total % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", total / 60, total % 60);
  return buffer;
}

ProgressBar::ProgressBar(std::string label, double total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(double done, const std::string& extra) {
  done_ = done;
  extra_ = extra;
  auto now = std::chrono::steady_clock::now();
  double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  if (since_draw >= (tty_ ? 0.1 : 5.0)) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressBar::set_rate_units(const std::string& name, double count) {
  rate_name_ = name;
  rate_count_ = count;
}

void ProgressBar::finish(const std::string& extra) {
  if (finished_) return;
  if (!extra.empty()) extra_ = extra;
  finished_ = true;
  draw(true);
}

void ProgressBar::draw(bool final_line) {
  double elapsed = elapsed_seconds();
  std::string line = label_ + "  ";
  char buffer[128];
  if (total_ > 0) {
    std::snprintf(buffer, sizeof buffer, "%3.0f%% %s/%s %s", 100.0 * done_ / total_,
                  human_count(done_).c_str(), human_count(total_).c_str(), unit_.c_str());
  } else {
    std::snprintf(buffer, sizeof buffer, "%s %s", human_count(done_).c_str(), unit_.c_str());
  }
  line += buffer;
  double rate_count = rate_count_ >= 0 ? rate_count_ : done_;
  const std::string& rate_name = rate_count_ >= 0 ? rate_name_ : unit_;
  if (elapsed > 0) line += "  " + human_count(rate_count / elapsed) + " " + rate_name + "/s";
  if (!extra_.empty()) line += "  " + extra_;
  if (final_line) {
    line += "  in " + format_duration(elapsed);
  } else if (total_ > 0 && done_ > 0) {
    line += "  ETA " + format_duration(elapsed * (total_ - done_) / done_);
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace gpt2
