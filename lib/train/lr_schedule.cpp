#include "train/lr_schedule.h"

#include <cmath>
#include <map>
#include <mutex>

#include "core/error.h"
#include "core/strings.h"

namespace gpt2 {
namespace {

constexpr double kPi = 3.14159265358979323846;

class Constant : public LrSchedule {
 public:
  using LrSchedule::LrSchedule;
  double after_warmup(int64_t) const override { return p_.lr; }
};

class Linear : public LrSchedule {
 public:
  using LrSchedule::LrSchedule;
  double after_warmup(int64_t step) const override {
    return p_.lr + decay_progress(step) * (p_.min_lr - p_.lr);
  }
};

class Cosine : public LrSchedule {
 public:
  using LrSchedule::LrSchedule;
  double after_warmup(int64_t step) const override {
    return p_.min_lr + 0.5 * (1.0 + std::cos(kPi * decay_progress(step))) * (p_.lr - p_.min_lr);
  }
};

class WarmupStableDecay : public LrSchedule {
 public:
  using LrSchedule::LrSchedule;
  double after_warmup(int64_t step) const override {
    const int64_t cooldown =
        static_cast<int64_t>(std::llround(p_.cooldown_fraction * double(p_.total_steps)));
    const int64_t start = std::max(p_.warmup_steps, p_.total_steps - cooldown);
    if (step < start) return p_.lr;
    const int64_t last = p_.total_steps - 1;
    if (last <= start) return p_.min_lr;
    double r = std::min(1.0, double(step - start) / double(last - start));
    return p_.lr + r * (p_.min_lr - p_.lr);
  }
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, ScheduleFactory> factories;
};

template <class S>
ScheduleFactory factory() {
  return [](const ScheduleParams& p) { return std::make_unique<S>(p); };
}

Registry& registry() {
  static Registry* r = [] {
    auto* r = new Registry;
    r->factories["constant"] = factory<Constant>();
    r->factories["linear"] = factory<Linear>();
    r->factories["cosine"] = factory<Cosine>();
    r->factories["wsd"] = factory<WarmupStableDecay>();
    return r;
  }();
  return *r;
}

}  // namespace

double LrSchedule::lr(int64_t step) const {
  if (step < p_.warmup_steps) return p_.lr * double(step + 1) / double(p_.warmup_steps);
  return after_warmup(step);
}

double LrSchedule::decay_progress(int64_t step) const {
  const int64_t end = decay_end();
  if (step >= end) return 1.0;
  return double(step - p_.warmup_steps) / double(end - p_.warmup_steps);
}

void register_schedule(const std::string& name, ScheduleFactory factory) {
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[name] = std::move(factory);
}

std::vector<std::string> schedule_names() {
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& item : r.factories) names.push_back(item.first);
  return names;
}

std::unique_ptr<LrSchedule> make_schedule(const std::string& name, const ScheduleParams& params) {
  ScheduleFactory make;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.factories.find(name);
    if (it != r.factories.end()) make = it->second;
  }
  if (!make)
    throw Error("unknown learning-rate schedule \"" + name +
                "\"; known: " + join(schedule_names(), ", "));
  require(params.total_steps > 0, "schedule: total_steps must be > 0");
  return make(params);
}

}  // namespace gpt2
