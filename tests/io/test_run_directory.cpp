// The run directory: checkpoint rotation keeps the last N and the best, links follow, logs
// can be cut back to a checkpoint, trainer state round-trips.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/files.h"
#include "io/run_directory.h"
#include "io/trainer_state.h"
#include "test_support.h"

using namespace gpt2;
namespace fs = std::filesystem;

namespace {

void fake_checkpoint(const RunDirectory& run, int64_t step) {
  std::string temp = run.begin_checkpoint(step);
  write_file_atomic(temp + "/trainer_state.json", "{}");
  run.commit_checkpoint(step, temp);
}

}  // namespace

TEST_CASE("rotation keeps the newest checkpoints and the best one") {
  test::TempDir dir;
  RunDirectory run(dir.path(), {"loss"});
  for (int64_t step = 1; step <= 5; ++step) fake_checkpoint(run, step);
  CHECK(run.checkpoint_steps() == std::vector<int64_t>{1, 2, 3, 4, 5});
  run.link_best(2);
  run.rotate(2, 2);
  CHECK(run.checkpoint_steps() == std::vector<int64_t>{2, 4, 5});
  CHECK(fs::read_symlink(dir.file("latest")).string() == "checkpoints/step_00000005");
  CHECK(fs::read_symlink(dir.file("best")).string() == "checkpoints/step_00000002");
  CHECK(file_exists(dir.file("best/trainer_state.json")));
  CHECK(run.latest_checkpoint() == run.checkpoint_dir(5));
  // An unfinished temp folder is not a checkpoint.
  run.begin_checkpoint(6);
  CHECK(run.latest_checkpoint() == run.checkpoint_dir(5));
  // Re-committing a step replaces it.
  fake_checkpoint(run, 5);
  CHECK(run.checkpoint_steps() == std::vector<int64_t>{2, 4, 5});
}

TEST_CASE("logs are JSONL and CSV and can be cut back to a checkpoint's step") {
  test::TempDir dir;
  RunDirectory run(dir.path(), {"loss", "val_loss"});
  for (int64_t step = 1; step <= 4; ++step) run.log({"train", step, {{"loss", 5.0 - step}}, {}});
  run.log({"eval", 4, {{"val_loss", 1.5}}, {}});
  CHECK(read_file(run.csv_path()) ==
        "step,kind,loss,val_loss\n1,train,4,\n2,train,3,\n3,train,2,\n4,train,1,\n4,eval,,1.5\n");
  run.truncate_logs(2);
  CHECK(read_file(run.csv_path()) == "step,kind,loss,val_loss\n1,train,4,\n2,train,3,\n");
  CHECK(read_file(run.log_path()) ==
        "{\"kind\":\"train\",\"step\":1,\"loss\":4.0}\n{\"kind\":\"train\",\"step\":2,\"loss\":3.0}"
        "\n");
}

TEST_CASE("trainer state counters round-trip through JSON") {
  TrainerState s;
  s.step = 42;
  s.tokens_seen = 1 << 20;
  s.best_step = 40;
  s.best_val_loss = 1.875;
  s.nonfinite_total = 3;
  s.loss_scale = 512;
  s.data_state = "{\"seed\":1}";
  TrainerState back = parse_trainer_state_json(trainer_state_json(s), "x.json");
  CHECK(back.step == 42);
  CHECK(back.tokens_seen == 1 << 20);
  CHECK(back.best_val_loss == 1.875);
  CHECK(back.best_step == 40);
  CHECK(back.nonfinite_total == 3);
  CHECK(back.loss_scale == 512);
  CHECK(back.data_state == s.data_state);
  // No evaluation yet: infinity is stored as null and read back as infinity.
  CHECK(
      std::isinf(parse_trainer_state_json(trainer_state_json(TrainerState{}), "y").best_val_loss));
  CHECK_THROWS_AS(parse_trainer_state_json("{\"format_version\": 1}", "z.json"), Error);
}
