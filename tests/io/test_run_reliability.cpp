// A run directory under stress: a second writer, a holder killed with SIGKILL, a full disk
// during a checkpoint, logs cut short by a kill. Real processes (fork) and real file-size
// limits (RLIMIT_FSIZE), no mocks.
#include <ATen/ATen.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/optim/adamw.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "io/run_directory.h"
#include "io/safetensors.h"
#include "io/trainer_state.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using test::fork_child;
using test::read_all;
using Child = test::ChildProcess;

void send(int fd, const std::string& text) {
  if (::write(fd, text.data(), text.size()) < 0) ::_exit(98);
}

std::string read_line(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `body` with stderr going to a file; returns what it wrote.
std::string capture_stderr(const std::string& file, const std::function<void()>& body) {
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  try {
    body();
  } catch (...) {
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    throw;
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  return read_file(file);
}

std::string host() {
  char name[256] = {0};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// A child that holds the run directory's lock (through a first write) until killed.
Child hold_run_directory(const std::string& dir) {
  return fork_child([dir](int out) {
    RunDirectory run(dir, {"loss"});
    run.write_config("train: {}\n");
    send(out, "ready\n");
    while (true) ::pause();
    return 0;
  });
}

void limit_file_size(rlim_t bytes) {
  ::signal(SIGXFSZ, SIG_IGN);  // a short write then fails with EFBIG instead of killing us
  rlimit limit{bytes, bytes};
  ::setrlimit(RLIMIT_FSIZE, &limit);
}

}  // namespace

TEST_CASE(
    "a second writer of a run directory is refused naming the holder, and a dead one's lock "
    "is taken over with a warning") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  Child holder = hold_run_directory(run_dir);
  REQUIRE(read_line(holder.from_child) == "ready");

  const std::string who = "pid " + std::to_string(holder.pid) + " on host " + host();
  auto seen = DirectoryLock::holder(run_dir);
  REQUIRE(seen);
  CHECK(seen->pid == holder.pid);
  CHECK(seen->host == host());
  {
    RunDirectory second(run_dir, {"loss"});
    CHECK(second.latest_checkpoint().empty());  // reading needs no lock
    CHECK_THROWS_WITH(second.log({"train", 1, {{"loss", 1.0}}, {}}),
                      Contains("in use by another gpt2 process (" + who + ")") &&
                          Contains("gpt2 train --resume " + run_dir));
    CHECK_THROWS_WITH(second.begin_checkpoint(1), Contains(who));
  }
  CHECK(!file_exists(run_dir + "/log.jsonl"));

  ::kill(holder.pid, SIGKILL);
  CHECK(wait_exit_code(holder.pid) == 128 + SIGKILL);
  ::close(holder.from_child);
  CHECK(!DirectoryLock::holder(run_dir));
  std::string warning = capture_stderr(dir.file("stderr.txt"), [&] {
    RunDirectory third(run_dir, {"loss"});
    third.log({"train", 1, {{"loss", 1.0}}, {}});
    // While we hold it, we are the holder; released when the object goes.
    auto self = DirectoryLock::holder(run_dir);
    REQUIRE(self);
    CHECK(self->pid == ::getpid());
  });
  CHECK_THAT(warning, Contains("taking over the stale lock of " + who));
  CHECK(!DirectoryLock::holder(run_dir));
  CHECK(read_file(run_dir + "/.lock").empty());  // a clean release leaves nothing stale
  // Taken cleanly again: no warning this time.
  CHECK(capture_stderr(dir.file("stderr2.txt"), [&] {
          RunDirectory(run_dir, {"loss"}).write_config("x: 1\n");
        }).empty());
}

TEST_CASE("gpt2 train --resume refuses a run directory another process is writing") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  Child holder = hold_run_directory(run_dir);
  REQUIRE(read_line(holder.from_child) == "ready");
  auto result = test::run_cli("train --resume " + run_dir);
  ::kill(holder.pid, SIGKILL);
  wait_exit_code(holder.pid);
  ::close(holder.from_child);
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("in use by another gpt2 process (pid " +
                                     std::to_string(holder.pid) + " on host " + host() + ")"));
}

TEST_CASE(
    "a checkpoint write on a full disk removes the temp folder and names the last good "
    "checkpoint and the resume command") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  const at::Tensor small = at::zeros({16});
  const at::Tensor big = at::zeros({64 * 1024});  // 256 KiB, over the limit below
  Child child = fork_child([&](int out) {
    RunDirectory run(run_dir, {"loss"});
    run.write_checkpoint(1, [&](const std::string& temp) {
      write_safetensors(temp + "/model.safetensors", {{"w", small}});
      write_file_atomic(temp + "/trainer_state.json", "{}");
    });
    limit_file_size(64 * 1024);
    try {
      run.write_checkpoint(2, [&](const std::string& temp) {
        write_safetensors(temp + "/model.safetensors", {{"w", big}});
      });
    } catch (const Error& e) {
      send(out, e.what());
      return 0;
    }
    return 2;
  });
  const std::string message = read_all(child.from_child);
  REQUIRE(wait_exit_code(child.pid) == 0);
  INFO(message);
  CHECK_THAT(message, Contains("write failed for " + run_dir +
                               "/checkpoints/.step_00000002.tmp/model.safetensors (disk full?)"));
  CHECK_THAT(message,
             Contains("The last good checkpoint is " + run_dir + "/checkpoints/step_00000001") &&
                 Contains("gpt2 train --resume " + run_dir));
  CHECK(!fs::exists(run_dir + "/checkpoints/.step_00000002.tmp"));
  CHECK(RunDirectory(run_dir, {}).checkpoint_steps() == std::vector<int64_t>{1});
  CHECK(fs::read_symlink(run_dir + "/latest").string() == "checkpoints/step_00000001");
}

TEST_CASE("the optimizer archive on a full disk is a write error naming the file, not a crash") {
  test::TempDir dir;
  at::Tensor weight = at::zeros({64 * 1024}).requires_grad_();
  torch::optim::AdamW optimizer({weight});
  weight.mutable_grad() = at::ones({64 * 1024});
  optimizer.step();  // moments of 2 x 256 KiB
  Child child = fork_child([&](int out) {
    limit_file_size(128 * 1024);
    try {
      save_trainer_state(dir.path(), TrainerState{}, optimizer);
    } catch (const Error& e) {
      send(out, e.what());
      return 0;
    }
    return 2;
  });
  const std::string message = read_all(child.from_child);
  CHECK(wait_exit_code(child.pid) == 0);  // not 134 (std::terminate)
  CHECK_THAT(message,
             Contains("write failed for " + dir.file("trainer_state.pt") + " (disk full?)"));
  for (const auto& entry : fs::directory_iterator(dir.path()))  // no temp file left
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE(
    "on resume the logs are cut back to the checkpoint, cut-short lines included, and "
    "then equal an uninterrupted run's") {
  test::TempDir dir;
  auto log_steps = [](const RunDirectory& run, int64_t first, int64_t last) {
    for (int64_t step = first; step <= last; ++step) {
      run.log({"train", step, {{"loss", 10.0 / double(step)}}, {}});
      if (step % 4 == 0) run.log({"eval", step, {{"val_loss", 1.0 + 1.0 / double(step)}}, {}});
    }
  };
  {
    RunDirectory full(dir.file("full"), {"loss", "val_loss"});
    log_steps(full, 1, 8);
    full.log({"event", 8, {}, {{"message", "finished"}}});
  }
  RunDirectory part(dir.file("part"), {"loss", "val_loss"});
  log_steps(part, 1, 6);
  // Killed at step 7 in the middle of writing both files.
  {
    std::ofstream(part.log_path(), std::ios::app) << "{\"kind\":\"train\",\"st";
    std::ofstream(part.csv_path(), std::ios::app) << "7,tra";
  }
  std::string warning = capture_stderr(dir.file("stderr.txt"), [&] { part.truncate_logs(4); });
  CHECK_THAT(warning, Contains("dropped 2 incomplete log line(s)"));
  CHECK(read_file(part.csv_path()) ==
        "step,kind,loss,val_loss\n1,train,10,\n2,train,5,\n3,train,3.33333333,\n4,train,2.5,\n"
        "4,eval,,1.25\n");
  log_steps(part, 5, 8);
  part.log({"event", 8, {}, {{"message", "finished"}}});
  CHECK(read_file(part.csv_path()) == read_file(dir.file("full/metrics.csv")));
  CHECK(read_file(part.log_path()) == read_file(dir.file("full/log.jsonl")));

  // A row that is not one (a garbage step field) is dropped, not a crash.
  write_file_atomic(part.csv_path(), "step,kind,loss,val_loss\n1,train,1,\nx,train,2,\n");
  capture_stderr(dir.file("stderr2.txt"), [&] { part.truncate_logs(4); });
  CHECK(read_file(part.csv_path()) == "step,kind,loss,val_loss\n1,train,1,\n");
}
