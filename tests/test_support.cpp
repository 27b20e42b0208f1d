#include "test_support.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;

namespace gpt2::test {

std::string shared_data_dir() {
  if (const char* env = std::getenv("GPT2_SHARED_DATA_DIR")) return env;
  return GPT2_TEST_SHARED_DATA_DIR;
}

std::string data_path(const char* env_name, const std::string& relative) {
  if (env_name)
    if (const char* env = std::getenv(env_name)) return env;
  return shared_data_dir() + "/" + relative;
}

std::string source_dir() {
  return GPT2_TEST_SOURCE_DIR;
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device entropy;
  fs::path base = fs::temp_directory_path() /
                  ("gpt2-test-" + std::to_string(entropy()) + "-" + std::to_string(counter++));
  fs::create_directories(base);
  path_ = base.string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

CommandResult run_cli(const std::string& args) {
  std::string command = std::string("'") + GPT2_TEST_CLI_PATH + "' " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, output};
}

CommandResult run_with_file_limit(uint64_t file_limit, const std::function<int(int)>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, "pipe failed"};
  pid_t pid = ::fork();
  if (pid < 0) return {-1, "fork failed"};
  if (pid == 0) {
    ::close(fds[0]);
    rlimit r{rlim_t(file_limit), rlim_t(file_limit)};
    ::setrlimit(RLIMIT_FSIZE, &r);
    int code = 98;
    try {
      code = body(fds[1]);
    } catch (...) {
      code = 99;
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string output;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) output.append(buffer, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace gpt2::test
