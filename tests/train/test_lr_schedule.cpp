// Learning-rate schedules against values computed by hand (lr 1, min_lr 0.1, warmup 4,
// 20 steps).
#include <catch2/catch.hpp>
#include <cmath>

#include "config/loader.h"
#include "core/error.h"
#include "train/lr_schedule.h"
#include "train/train_config.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

ScheduleParams params() {
  ScheduleParams p;
  p.lr = 1.0;
  p.min_lr = 0.1;
  p.warmup_steps = 4;
  p.total_steps = 20;
  p.cooldown_fraction = 0.25;
  return p;
}

double lr_at(const std::string& name, int64_t step, ScheduleParams p = params()) {
  return make_schedule(name, p)->lr(step);
}

}  // namespace

TEST_CASE("every schedule warms up linearly to the peak at step warmup - 1") {
  for (const char* name : {"constant", "linear", "cosine", "wsd"}) {
    CHECK(lr_at(name, 0) == Approx(0.25));
    CHECK(lr_at(name, 1) == Approx(0.50));
    CHECK(lr_at(name, 3) == Approx(1.0));
  }
}

TEST_CASE("cosine follows nanoGPT's curve and holds min_lr after decay_steps") {
  CHECK(lr_at("cosine", 4) == Approx(1.0));
  CHECK(lr_at("cosine", 8) == Approx(0.1 + 0.5 * (1 + std::cos(M_PI / 4)) * 0.9));  // 0.8682
  CHECK(lr_at("cosine", 12) == Approx(0.55));
  CHECK(lr_at("cosine", 20) == Approx(0.1));
  CHECK(lr_at("cosine", 25) == Approx(0.1));
  auto p = params();
  p.decay_steps = 12;  // min_lr reached at step 12 instead of 20
  CHECK(lr_at("cosine", 8, p) == Approx(0.55));
  CHECK(lr_at("cosine", 12, p) == Approx(0.1));
}

TEST_CASE("linear decays to min_lr and constant stays at lr") {
  CHECK(lr_at("linear", 8) == Approx(0.775));
  CHECK(lr_at("linear", 12) == Approx(0.55));
  CHECK(lr_at("linear", 20) == Approx(0.1));
  CHECK(lr_at("constant", 10) == Approx(1.0));
  CHECK(lr_at("constant", 19) == Approx(1.0));
}

TEST_CASE("wsd is stable until the cooldown then decays linearly to min_lr at the last step") {
  // cooldown = 0.25 * 20 = 5 steps: 15..19.
  CHECK(lr_at("wsd", 10) == Approx(1.0));
  CHECK(lr_at("wsd", 15) == Approx(1.0));
  CHECK(lr_at("wsd", 17) == Approx(0.55));
  CHECK(lr_at("wsd", 19) == Approx(0.1));
}

TEST_CASE("schedules are looked up by name and new ones can be registered") {
  CHECK_THROWS_WITH(make_schedule("cosyne", params()),
                    Contains("unknown learning-rate schedule \"cosyne\"") && Contains("cosine"));
  struct Half : LrSchedule {
    using LrSchedule::LrSchedule;
    double after_warmup(int64_t) const override { return p_.lr / 2; }
  };
  register_schedule("half", [](const ScheduleParams& p) { return std::make_unique<Half>(p); });
  CHECK(lr_at("half", 10) == Approx(0.5));
  CHECK(lr_at("half", 1) == Approx(0.5));  // warmup still applies

  // The config's rule reads the registry: a registered schedule can be selected.
  TrainConfig config;
  std::vector<SectionRef> sections = {section_ref(config)};
  CHECK_THROWS_WITH(apply_override(sections, "train.schedule=halve"),
                    Contains("must be one of: ") && Contains("half"));
  apply_override(sections, "train.schedule=half");
  CHECK(config.schedule == "half");
}
