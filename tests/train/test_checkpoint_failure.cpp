// gpt2 train on a full disk (a real file-size limit, ulimit -f): the checkpoint write fails,
// training stops cleanly with exit 1 naming the file, no temp folder or crash left behind.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/files.h"
#include "test_support.h"
#include "train_test_util.h"

using namespace gpt2;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("gpt2 train: a full disk during a checkpoint stops cleanly with exit 1, no crash") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string run = dir.file("run");
  // 160 KiB per file: model.safetensors (~110 KiB) fits, trainer_state.pt (the Adam moments,
  // ~220 KiB) does not, so the failure is inside torch's archive writer.
  std::string output;
  int code =
      test::shell("bash -c \"ulimit -f 160; exec '" + test::cli_path() + "' train --config " +
                      dir.file("tiny.yaml") + " --set train.out_dir=" + run + "\" 2>&1",
                  output);
  INFO(output);
  CHECK(code == 1);
  CHECK_THAT(output, Contains("write failed for " + run +
                              "/checkpoints/.step_00000004.tmp/trainer_state.pt (disk full?)"));
  CHECK_THAT(output, Contains("No checkpoint was written before it"));
  CHECK_THAT(output, !Contains("terminate") && !Contains("internal error"));
  for (const auto& entry : fs::directory_iterator(run + "/checkpoints"))
    FAIL_CHECK("left behind: " << entry.path());
  CHECK(fs::file_size(run + "/log.jsonl") > 0);
}

TEST_CASE(
    "gpt2 train: the disk filling up mid-run stops it naming the last good checkpoint, "
    "and --resume continues from it") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string run = dir.file("run");
  const std::string cli = test::cli_path(), log = dir.file("train.log");
  const std::string config = dir.file("tiny.yaml"), out_dir = "train.out_dir=" + run;
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(cli.c_str(), cli.c_str(), "train", "--config", config.c_str(), "--set", out_dir.c_str(),
            "--set", "train.max_steps=100000", "--set", "train.checkpoint_interval=4", "--set",
            "train.eval_interval=1000", "--set", "train.log_interval=50",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Once a first checkpoint is there, the disk "fills up": 60 KB per file leaves room for the
  // logs but not for model.safetensors (~110 KB).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!file_exists(run + "/latest/trainer_state.json") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  rlimit limit{60000, 60000};
  const bool limited = ::prlimit(pid, RLIMIT_FSIZE, &limit, nullptr) == 0;
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string output = read_file(log);
  INFO(output);
  REQUIRE(limited);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK_THAT(output, Contains("/model.safetensors (disk full?)") &&
                         Contains("The last good checkpoint is " + run + "/checkpoints/step_") &&
                         Contains("free disk space, then resume with: gpt2 train --resume " + run));
  CHECK_THAT(output, !Contains("terminate") && !Contains("internal error"));
  for (const auto& entry : fs::directory_iterator(run + "/checkpoints"))
    CHECK(entry.path().filename().string().rfind(".", 0) == std::string::npos);  // no temp
  const std::string marker = "The last good checkpoint is ";
  REQUIRE(output.find(marker) != std::string::npos);
  const size_t from = output.find(marker) + marker.size();
  const std::string named = output.substr(from, output.find(';', from) - from);
  CHECK(file_exists(named + "/trainer_state.json"));
  CHECK(fs::equivalent(named, run + "/latest"));
  // Space freed: the run resumes from that checkpoint and finishes 4 steps later.
  const int64_t step = std::stoll(named.substr(named.rfind('_') + 1));
  auto resumed =
      test::run_cli("train --resume " + run + " --set train.max_steps=" + std::to_string(step + 4));
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Contains("finished after"));
}

TEST_CASE("2 ranks: rank 0's failed checkpoint stops rank 1 too, with a clear error") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string run = dir.file("run");
  const std::string env =
      "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(test::free_port());
  auto rank = [&](int r) {
    return "RANK=" + std::to_string(r) + " LOCAL_RANK=" + std::to_string(r) + " " + env +
           " bash -c \"ulimit -f 160; exec timeout 120 '" + test::cli_path() + "' train --config " +
           dir.file("tiny.yaml") + " --set data.batch_size=2 --set train.out_dir=" + run + "\" > " +
           dir.file("rank" + std::to_string(r) + ".log") + " 2>&1; echo $? > " +
           dir.file("rank" + std::to_string(r) + ".code");
  };
  std::string output;
  test::shell("(" + rank(1) + ") & " + rank(0) + "; wait", output);
  const std::string log0 = read_file(dir.file("rank0.log")),
                    log1 = read_file(dir.file("rank1.log"));
  INFO("rank 0:\n" << log0 << "\nrank 1:\n" << log1);
  CHECK(std::stoi(read_file(dir.file("rank0.code"))) == 1);
  CHECK(std::stoi(read_file(dir.file("rank1.code"))) == 1);  // not 124 (hung), not 3
  CHECK_THAT(log0, Contains("trainer_state.pt (disk full?)"));
  CHECK_THAT(log1, Contains("gpt2 train: error: rank 0 could not write the checkpoint"));
  CHECK_THAT(log0 + log1, !Contains("internal error") && !Contains("terminate"));
}
