#include "test_support.h"

#include <sys/wait.h>

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

}  // namespace gpt2::test
