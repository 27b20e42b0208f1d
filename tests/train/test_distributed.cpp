// Data parallel over c10d Gloo: 2 processes on 127.0.0.1 with batch 2 each end with the
// parameters of 1 process with batch 4 (the same global batch). Also the CLI's stop on SIGINT.
#include <ATen/ATen.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/files.h"
#include "test_support.h"
#include "train/distributed.h"
#include "train_test_util.h"
// After the torch headers: glog's CHECK (pulled in by c10) must not replace Catch's.
#include <catch2/catch.hpp>

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(a[i] - b[i]));
  return diff;
}

}  // namespace

TEST_CASE("2 Gloo ranks with batch 2 match 1 process with batch 4 also across a resume") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string cli = "timeout 300 '" + test::cli_path() + "'";
  // A constant schedule, so the first 4 steps do not depend on max_steps. eps 1e-4: Adam's
  // first updates are lr * g / (|g| + eps), which turns float rounding in near-zero gradients
  // (mean of 4 rows vs mean of two 2-row means) into differences up to lr * dg / eps; with the
  // default 1e-8 that alone reaches ~3e-6 after 4 steps.
  const std::string common = " train --config " + dir.file("tiny.yaml") +
                             " --set train.schedule=constant --set train.eval_interval=2"
                             " --set train.keep_last=3 --set train.dropout=0 --set train.eps=1e-4";
  std::string output;
  REQUIRE(test::shell(cli + common + " --set train.max_steps=6 --set data.batch_size=4" +
                          " --set train.out_dir=" + dir.file("one"),
                      output) == 0);

  auto two_ranks = [&](const std::string& args) {
    const std::string env =
        "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(test::free_port()) + " ";
    return test::shell("(RANK=1 LOCAL_RANK=1 " + env + cli + args + " > " + dir.file("rank1.log") +
                           " 2>&1 &) ; RANK=0 LOCAL_RANK=0 " + env + cli + args,
                       output);
  };
  const std::string two = dir.file("two");
  int code = two_ranks(common + " --set train.max_steps=4 --set data.batch_size=2" +
                       " --set train.out_dir=" + two);
  INFO(output);
  REQUIRE(code == 0);
  CHECK_THAT(output, Contains("2 rank(s) over gloo"));
  CHECK_THAT(read_file(dir.file("rank1.log")), !Contains("checkpoint"));  // rank 0 writes
  double diff = max_abs_diff(test::flat_parameters(dir.file("one/checkpoints/step_00000004")),
                             test::flat_parameters(two + "/latest"));
  INFO("max |difference| after 4 steps " << diff);
  CHECK(diff <= 1e-6);
  auto one_losses = test::logged_losses(dir.file("one")), two_losses = test::logged_losses(two);
  REQUIRE(two_losses.size() == 4);
  for (size_t i = 0; i < 4; ++i)
    CHECK(two_losses[i].second == Approx(one_losses[i].second).epsilon(1e-5));

  // Both ranks resume from the run directory and continue to step 6.
  code = two_ranks(" train --resume " + two + " --set train.max_steps=6");
  REQUIRE(code == 0);
  diff = max_abs_diff(test::flat_parameters(dir.file("one/latest")),
                      test::flat_parameters(two + "/latest"));
  INFO("max |difference| after 6 steps " << diff);
  CHECK(diff <= 1e-6);
  CHECK(test::logged_losses(two).size() == 6);
}

TEST_CASE("the distributed environment is read as torchrun and Slurm set it") {
  ::setenv("WORLD_SIZE", "4", 1);
  ::setenv("RANK", "5", 1);
  ::setenv("MASTER_ADDR", "10.0.0.1", 1);
  CHECK_THROWS_WITH(distributed_env_from_environment(), Contains("RANK (5) must be below"));
  ::setenv("RANK", "2", 1);
  ::setenv("MASTER_PORT", "1234", 1);
  auto env = distributed_env_from_environment();
  CHECK(env.world_size == 4);
  CHECK(env.rank == 2);
  CHECK(env.master_addr == "10.0.0.1");
  CHECK(env.master_port == 1234);
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("RANK");
  ::setenv("SLURM_NTASKS", "3", 1);
  ::setenv("SLURM_PROCID", "1", 1);
  ::setenv("SLURM_LOCALID", "1", 1);
  env = distributed_env_from_environment();
  CHECK(env.world_size == 3);
  CHECK(env.rank == 1);
  CHECK(env.local_rank == 1);
  ::unsetenv("MASTER_ADDR");
  CHECK_THROWS_WITH(distributed_env_from_environment(), Contains("MASTER_ADDR is not set"));
  for (const char* name : {"SLURM_NTASKS", "SLURM_PROCID", "SLURM_LOCALID", "MASTER_PORT"})
    ::unsetenv(name);
  CHECK(distributed_env_from_environment().world_size == 1);
}

TEST_CASE("gpt2 train: SIGINT saves a checkpoint and exits cleanly and --resume finishes the run") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string cli = "'" + test::cli_path() + "'";
  const std::string run = dir.file("run");
  // Interrupt once the first step is logged (the handler is installed by then).
  std::string output;
  int code = test::shell(cli + " train --config " + dir.file("tiny.yaml") +
                             " --set train.max_steps=100000 --set train.out_dir=" + run + " > " +
                             dir.file("train.log") +
                             " 2>&1 & pid=$!; "
                             "while [ ! -s " +
                             run +
                             "/log.jsonl ]; do sleep 0.1; done; "
                             "kill -INT $pid; wait $pid",
                         output);
  std::string log = read_file(dir.file("train.log"));
  INFO(log);
  REQUIRE(code == 0);
  CHECK_THAT(log, Contains("interrupted after") && Contains("gpt2 train --resume " + run));
  REQUIRE(file_exists(run + "/latest/trainer_state.json"));
  REQUIRE(file_exists(run + "/latest/model.safetensors"));
  CHECK(file_exists(run + "/config.yaml"));

  auto result = test::run_cli("train --resume " + run + " --set train.max_steps=" +
                              std::to_string(test::logged_losses(run).back().first + 2));
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.output, Contains("finished after"));
  CHECK_THAT(test::run_cli("train --resume " + dir.file("nothing")).output,
             Contains("is not a run directory"));
}

TEST_CASE("a rank whose peer stopped gets an Error that says so (not a c10d exception)") {
  DistributedEnv env;
  env.world_size = 2;
  env.master_port = test::free_port();
  // Rank 0 joins, then stops (as on a bad config or a held lock) before the first broadcast.
  auto rank0 = test::fork_child([&](int) {
    DistributedEnv e = env;
    e.rank = 0;
    Distributed dist(e, "gloo", c10::Device(c10::kCPU), 30);
    return 1;
  });
  auto rank1 = test::fork_child([&](int out) {
    DistributedEnv e = env;
    e.rank = 1;
    auto t = at::zeros({4});
    try {
      // Rank 0 may already be gone when this rank's rendezvous ends (a busy machine).
      Distributed dist(e, "gloo", c10::Device(c10::kCPU), 30);
      dist.broadcast({t});
      dist.all_reduce_sum(t);
    } catch (const Error& error) {
      std::string what = error.what();
      (void)!write(out, what.data(), what.size());
      return 3;
    }
    return 0;
  });
  auto first = test::wait_child(rank0);
  auto second = test::wait_child(rank1);
  CHECK(first.exit_code == 1);
  INFO(second.output);
  CHECK(second.exit_code == 3);
  CHECK_THAT(second.output, Contains("distributed: "));
  CHECK_THAT(second.output, Contains("another rank has stopped"));
}
