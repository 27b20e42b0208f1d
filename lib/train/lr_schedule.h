#pragma once
// Learning-rate schedules, each a small class registered by name (constant, linear, cosine,
// wsd). Every schedule starts with a linear warmup: step s < warmup gets lr * (s + 1) / warmup,
// so step 0 already moves and step warmup - 1 reaches the peak.
//   constant: lr after warmup.
//   linear:   lr -> min_lr linearly from warmup to decay_steps, min_lr after.
//   cosine:   min_lr + (lr - min_lr) * (1 + cos(pi * r)) / 2, r = (s - warmup) / (decay -
//             warmup), min_lr after decay_steps (nanoGPT's get_lr).
//   wsd:      warmup-stable-decay: lr until the cooldown (the last cooldown_fraction of
//             total_steps), then linearly to min_lr at the last step.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gpt2 {

struct ScheduleParams {
  double lr = 6e-4;
  double min_lr = 6e-5;
  int64_t warmup_steps = 0;
  int64_t decay_steps = 0;  // 0 = total_steps
  int64_t total_steps = 1;
  double cooldown_fraction = 0.2;
};

class LrSchedule {
 public:
  explicit LrSchedule(const ScheduleParams& params) : p_(params) {}
  virtual ~LrSchedule() = default;
  // The learning rate of the update made at `step` (0-based).
  double lr(int64_t step) const;

 protected:
  // After warmup: step >= warmup_steps.
  virtual double after_warmup(int64_t step) const = 0;
  int64_t decay_end() const { return p_.decay_steps > 0 ? p_.decay_steps : p_.total_steps; }
  // How far `step` is from the end of warmup to decay_end(): 0 to 1, held at 1 after.
  double decay_progress(int64_t step) const;
  ScheduleParams p_;
};

using ScheduleFactory = std::function<std::unique_ptr<LrSchedule>(const ScheduleParams&)>;

// Adds a schedule under `name` (replacing one of that name).
void register_schedule(const std::string& name, ScheduleFactory factory);
std::vector<std::string> schedule_names();
// Throws Error listing the known names when `name` is unknown.
std::unique_ptr<LrSchedule> make_schedule(const std::string& name, const ScheduleParams& params);

}  // namespace gpt2
