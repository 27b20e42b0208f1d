#pragma once
// A live progress line for long work: "label  42% 420/1000 steps  1.2k tok/s  ETA 0:35".
// On a terminal it redraws one line; otherwise (logs, CI) it prints a line every few seconds.
#include <chrono>
#include <cstdint>
#include <string>

namespace gpt2 {

class ProgressBar {
 public:
  // total: units of work expected (0 when unknown); unit: what is counted ("steps", "MB").
  ProgressBar(std::string label, double total, std::string unit);
  ~ProgressBar();

  // Advances to `done` units. `extra` is shown after the rate, e.g. "loss 1.93".
  void update(double done, const std::string& extra = "");
  // Counts `rate_units` (e.g. tokens) for the rate column when it differs from the unit.
  void set_rate_units(const std::string& name, double count);
  // Prints the final line and a newline. Called by the destructor if not called before.
  void finish(const std::string& extra = "");

  double elapsed_seconds() const;

 private:
  void draw(bool final_line);

  std::string label_, unit_, extra_, rate_name_;
  double total_, done_ = 0, rate_count_ = -1;
  bool finished_ = false, tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace gpt2
