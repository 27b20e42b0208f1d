#pragma once
// Runs commands as child processes, at most N at once, each with its output in a log file.
// SIGINT/SIGTERM while running are passed on to the children (a trainer then checkpoints and
// exits) and no new command starts, so an interrupted sweep can simply be started again.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gpt2 {

struct ProcessJob {
  std::vector<std::string> argv;  // argv[0] is the program path
  std::string log_path;           // stdout and stderr are appended here
  std::string label;              // shown when it starts and ends
};

// Exit code per job: 0.. for finished processes, 128+N when killed by signal N, -1 when the
// job never started (interrupted sweep). `on_exit` runs in the caller's thread.
std::vector<int> run_processes(
    const std::vector<ProcessJob>& jobs, int64_t max_running,
    const std::function<void(size_t index, int exit_code)>& on_exit = {});

// True once SIGINT or SIGTERM arrived during run_processes.
bool processes_interrupted();

// The path of this program's folder + name if executable there, else `name` found on PATH;
// "" when neither exists.
std::string find_sibling_program(const std::string& name);

}  // namespace gpt2
