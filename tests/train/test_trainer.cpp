// The training loop in-process on a tiny model: exact resume, non-finite steps, early stopping,
// gradient accumulation.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/files.h"
#include "test_support.h"
#include "train/signals.h"
#include "train/trainer.h"
#include "train_test_util.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("a resumed run repeats the uninterrupted run's losses exactly") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  // Dropout on, so the generator state matters too.
  auto full = test::tiny_sections(dir.path(), dir.file("full"));
  full.train.dropout = 0.1;
  std::vector<double> full_losses;
  TrainOptions record;
  record.on_step = [&](int64_t, double loss) { full_losses.push_back(loss); };
  TrainResult a = train(full, record);
  REQUIRE(a.steps == 8);
  REQUIRE(full_losses.size() == 8);
  CHECK(full_losses.back() < full_losses.front());

  // The same run, stopped (as by SIGINT) after step 3, then resumed.
  auto part = full;
  part.train.out_dir = dir.file("part");
  TrainOptions stop;
  stop.on_step = [](int64_t step, double) {
    if (step == 3) request_stop();
  };
  TrainResult b = train(part, stop);
  clear_stop_request();
  CHECK(b.interrupted);
  REQUIRE(b.steps == 4);  // the request is seen at the next step's all-reduce
  CHECK(file_exists(dir.file("part/checkpoints/step_00000004/model.safetensors")));

  std::vector<double> resumed_losses;
  TrainOptions resume;
  resume.resume = true;
  resume.on_step = [&](int64_t, double loss) { resumed_losses.push_back(loss); };
  TrainResult c = train(part, resume);
  CHECK(c.steps == 8);
  REQUIRE(resumed_losses.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(resumed_losses[i] == full_losses[4 + i]);  // bit-equal
  CHECK(c.last_val_loss == a.last_val_loss);
  CHECK(test::flat_parameters(dir.file("part/latest")) ==
        test::flat_parameters(dir.file("full/latest")));
  // The resumed log continues the original one: every step once.
  auto logged = test::logged_losses(dir.file("part"));
  REQUIRE(logged.size() == 8);
  CHECK(logged[7].first == 8);
  CHECK(logged[7].second == full_losses[7]);
}

TEST_CASE("a fresh run refuses a run directory that already holds checkpoints") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  s.train.max_steps = 1;
  s.train.warmup_steps = 0;
  train(s);
  CHECK_THROWS_WITH(train(s), Contains("already holds checkpoints") && Contains("--resume"));
}

TEST_CASE("a non-finite step is skipped and counted and too many in a row stop the run") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("skip"));
  s.train.max_steps = 5;
  TrainOptions one_bad;
  one_bad.poison_step = [](int64_t step) { return step == 1; };
  std::vector<double> losses;
  one_bad.on_step = [&](int64_t, double loss) { losses.push_back(loss); };
  TrainResult r = train(s, one_bad);
  CHECK(r.steps == 5);
  CHECK(r.skipped_steps == 1);
  REQUIRE(losses.size() == 5);
  CHECK(std::isnan(losses[1]));
  CHECK(std::isfinite(losses[4]));
  CHECK(std::isfinite(r.last_val_loss));

  auto t = test::tiny_sections(dir.path(), dir.file("stop"));
  t.train.max_steps = 20;
  t.train.checkpoint_interval = 2;
  t.train.max_nonfinite = 3;
  TrainOptions all_bad;
  all_bad.poison_step = [](int64_t step) { return step >= 3; };
  CHECK_THROWS_WITH(train(t, all_bad), Contains("3 non-finite losses/gradients in a row") &&
                                           Contains("step_00000002") && Contains("--resume"));
  // The last good checkpoint is kept and is the newest.
  CHECK(file_exists(dir.file("stop/checkpoints/step_00000002/model.safetensors")));
  CHECK(std::filesystem::read_symlink(dir.file("stop/latest")).string() ==
        "checkpoints/step_00000002");
}

TEST_CASE("early stopping after `patience` evaluations without improvement keeps the best") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("early"));
  s.train.max_steps = 50;
  s.train.eval_interval = 1;
  s.train.min_delta = 100;  // nothing after the first evaluation counts as an improvement
  s.train.patience = 2;
  s.train.keep_last = 1;
  TrainResult r = train(s);
  CHECK(r.early_stopped);
  CHECK(r.steps == 3);
  CHECK(r.best_step == 1);
  CHECK(std::filesystem::read_symlink(dir.file("early/best")).string() ==
        "checkpoints/step_00000001");
  CHECK(file_exists(dir.file("early/best/model.safetensors")));
  CHECK(file_exists(dir.file("early/config.yaml")));
}

TEST_CASE("gradient accumulation to a token target matches one big batch") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  // 2 micro-batches of 2 rows draw the same 4 windows as one batch of 4 rows (the sampler
  // draws row offsets in sequence), and the mean of two half-batch means is the batch mean.
  auto big = test::tiny_sections(dir.path(), dir.file("big"));
  big.train.max_steps = 3;
  big.train.eps = 1e-4;  // see the DDP test: keeps Adam from amplifying rounding near g = 0
  big.data.batch_size = 4;
  auto small = big;
  small.train.out_dir = dir.file("small");
  small.data.batch_size = 2;
  small.train.batch_tokens = 4 * 16;
  TrainResult a = train(big), b = train(small);
  CHECK(b.tokens == 3 * 64);
  CHECK(b.last_train_loss == Approx(a.last_train_loss).epsilon(1e-6));
  auto pa = test::flat_parameters(dir.file("big/latest"));
  auto pb = test::flat_parameters(dir.file("small/latest"));
  REQUIRE(pa.size() == pb.size());
  double max_diff = 0;
  for (size_t i = 0; i < pa.size(); ++i) max_diff = std::max(max_diff, std::abs(pa[i] - pb[i]));
  CHECK(max_diff < 1e-6);

  small.train.batch_tokens = 3 * 16;
  small.train.out_dir = dir.file("bad");
  CHECK_THROWS_WITH(train(small), Contains("train.batch_tokens (48) must be a multiple of"));
}

TEST_CASE("a resumed run logs the uninterrupted run's train steps, no more") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto full = test::tiny_sections(dir.path(), dir.file("full"));
  full.train.log_interval = 3;  // logged: step 1, every 3rd, the last
  train(full);
  auto part = full;
  part.train.out_dir = dir.file("part");
  TrainOptions stop;
  stop.on_step = [](int64_t step, double) {
    if (step == 3) request_stop();
  };
  REQUIRE(train(part, stop).steps == 4);
  clear_stop_request();
  TrainOptions resume;
  resume.resume = true;
  train(part, resume);
  auto steps_of = [](const std::vector<std::pair<int64_t, double>>& rows) {
    std::vector<int64_t> steps;
    for (const auto& row : rows) steps.push_back(row.first);
    return steps;
  };
  const auto want = steps_of(test::logged_losses(dir.file("full")));
  CHECK(want == std::vector<int64_t>({1, 3, 6, 8}));
  CHECK(steps_of(test::logged_losses(dir.file("part"))) == want);
}
