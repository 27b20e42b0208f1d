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
#include <stdexcept>

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

std::string golden_model_dir() {
  return data_path("GPT2_GOLDEN_DIR", "golden") + "/tiny-gpt2";
}

std::string gpt2_tokenizer_dir() {
  return data_path("GPT2_TOKENIZER_DIR", "gpt2");
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int wait_exit(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

ChildProcess fork_child(const std::function<int(int)>& body) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    int code = 99;
    try {
      code = body(fds[1]);
    } catch (...) {
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  return {int(pid), fds[0]};
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, size_t(n));
  ::close(fd);
  return text;
}

CommandResult wait_child(ChildProcess child) {
  std::string output = read_all(child.from_child);
  int status = 0;
  ::waitpid(pid_t(child.pid), &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

CommandResult run_with_file_limit(uint64_t file_limit, const std::function<int(int)>& body) {
  return wait_child(fork_child([&](int fd) {
    rlimit r{rlim_t(file_limit), rlim_t(file_limit)};
    ::setrlimit(RLIMIT_FSIZE, &r);
    return body(fd);
  }));
}

}  // namespace gpt2::test
