#include "sweep/process_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

volatile sig_atomic_t g_stop_signal = 0;
std::atomic<bool> g_interrupted{false};

void on_stop_signal(int signal) {
  g_stop_signal = signal;
}

// fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: a child gets SIGTERM when the
// sweep dies, even by SIGKILL, so no trainer is left running (and writing) on its own.
pid_t spawn(const ProcessJob& job) {
  if (!job.log_path.empty() && fs::path(job.log_path).has_parent_path())
    fs::create_directories(fs::path(job.log_path).parent_path());
  std::vector<char*> argv;
  for (const auto& arg : job.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int report[2];  // the child's exec errno; closed on a successful exec
  if (::pipe2(report, O_CLOEXEC) != 0)
    throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw Error("cannot start " + job.argv[0] + ": " + std::strerror(error));
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::close(report[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the sweep died before prctl took effect
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    if (!job.log_path.empty()) {
      int out = ::open(job.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
    }
    ::execv(argv[0], argv.data());
    const int error = errno;
    if (::write(report[1], &error, sizeof error) < 0) {
    }
    ::_exit(127);
  }
  ::close(report[1]);
  int error = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == ssize_t(sizeof error)) {
    ::waitpid(pid, nullptr, 0);
    throw Error("cannot start " + job.argv[0] + ": " + std::strerror(error));
  }
  return pid;
}

}  // namespace

bool processes_interrupted() {
  return g_interrupted.load();
}

std::vector<int> run_processes(const std::vector<ProcessJob>& jobs, int64_t max_running,
                               const std::function<void(size_t, int)>& on_exit) {
  std::vector<int> codes(jobs.size(), -1);
  struct sigaction action {
  }, old_int{}, old_term{};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR so we can pass the signal on
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  g_stop_signal = 0;

  std::map<pid_t, size_t> running;
  size_t next = 0;
  bool forwarded = false;
  while (true) {
    if (g_stop_signal && !forwarded) {
      g_interrupted = true;
      forwarded = true;
      std::fprintf(stderr, "sweep: interrupted; stopping %zu running job(s)\n", running.size());
      for (const auto& [pid, index] : running) ::kill(pid, SIGTERM);
    }
    while (!g_stop_signal && next < jobs.size() && int64_t(running.size()) < max_running) {
      std::fprintf(stderr, "sweep: start %s\n", jobs[next].label.c_str());
      running[spawn(jobs[next])] = next;
      ++next;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    size_t index = it->second;
    running.erase(it);
    codes[index] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::fprintf(stderr, "sweep: %s %s (exit %d)\n", jobs[index].label.c_str(),
                 codes[index] == 0 ? "done" : "failed", codes[index]);
    if (on_exit) on_exit(index, codes[index]);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return codes;
}

std::string find_sibling_program(const std::string& name) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path candidate :
         {self.parent_path() / name, self.parent_path().parent_path() / "apps" / name}) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  if (const char* path = std::getenv("PATH")) {
    for (const auto& dir : split(path, ':')) {
      fs::path candidate = fs::path(dir) / name;
      if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "";
}

}  // namespace gpt2
