// gpt2-ablate as a process among processes: one sweep per sweep directory, its children die
// with it (even on SIGKILL), and a run another trainer still writes is not started twice. The
// trainer is a stand-in script (ablation.gpt2) that records its pid and sleeps.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/dir_lock.h"
#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

pid_t start_ablate(const std::string& sweep_file, const std::string& log) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execl(GPT2_TEST_ABLATE_PATH, GPT2_TEST_ABLATE_PATH, sweep_file.c_str(), "--threads", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Running and not a zombie.
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

template <class Predicate>
bool wait_for(Predicate done, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A sweep of one run whose "gpt2" writes its pid to <dir>/trainer.pid and sleeps.
std::string write_sleeping_sweep(const test::TempDir& tmp) {
  write_file_atomic(tmp.file("fake-gpt2"), "#!/bin/sh\necho $$ > " + tmp.file("trainer.pid") +
                                               ".tmp && mv " + tmp.file("trainer.pid") + ".tmp " +
                                               tmp.file("trainer.pid") + "\nexec sleep 600\n");
  fs::permissions(tmp.file("fake-gpt2"), fs::perms::owner_all);
  write_file_atomic(tmp.file("base.yaml"),
                    "train:\n  max_steps: 10\n  warmup_steps: 2\n");  // checked, not run
  write_file_atomic(tmp.file("sweep.yaml"), "ablation:\n  base: [" + tmp.file("base.yaml") +
                                                "]\n  seeds: [1]\n"
                                                "  out_dir: " +
                                                tmp.file("sweep") +
                                                "\n  gpt2: " + tmp.file("fake-gpt2") +
                                                "\naxes:\n  train.lr: [0.001]\n");
  return tmp.file("sweep.yaml");
}

}  // namespace

TEST_CASE("gpt2-ablate killed with SIGKILL takes its trainer down with it") {
  test::TempDir tmp;
  const std::string sweep = write_sleeping_sweep(tmp);
  pid_t ablate = start_ablate(sweep, tmp.file("ablate.log"));
  REQUIRE(wait_for([&] { return file_exists(tmp.file("trainer.pid")); }));
  const pid_t trainer = std::stoi(read_file(tmp.file("trainer.pid")));
  REQUIRE(running(trainer));

  // While it runs, a second sweep on the same directory is refused.
  pid_t other = start_ablate(sweep, tmp.file("other.log"));
  CHECK(test::wait_exit(other) == 1);
  CHECK_THAT(read_file(tmp.file("other.log")),
             Contains("the sweep directory " + tmp.file("sweep") +
                      " is in use by another gpt2 process (pid " + std::to_string(ablate)));

  ::kill(ablate, SIGKILL);
  CHECK(test::wait_exit(ablate) == 128 + SIGKILL);
  INFO(read_file(tmp.file("ablate.log")));
  CHECK(wait_for([&] { return !running(trainer); }, 10));
  if (running(trainer)) ::kill(trainer, SIGKILL);
}

TEST_CASE("a restarted sweep does not start a run whose directory a live trainer holds") {
  test::TempDir tmp;
  const std::string sweep = write_sleeping_sweep(tmp);
  const std::string run_dir = tmp.file("sweep/lr=0.001,seed=1");
  auto lock = std::make_unique<DirectoryLock>(run_dir, "run directory", "test");
  pid_t ablate = start_ablate(sweep, tmp.file("ablate.log"));
  const int code = test::wait_exit(ablate);
  const std::string log = read_file(tmp.file("ablate.log"));
  INFO(log);
  CHECK(code == 1);
  CHECK_THAT(log, Contains("sweep: skip lr=0.001,seed=1: its run directory is in use by pid " +
                           std::to_string(::getpid())));
  CHECK(!file_exists(tmp.file("trainer.pid")));  // never started
}
