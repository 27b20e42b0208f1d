#pragma once
// Helpers shared by the tests: where the reference data lives, scratch folders, and running
// the gpt2 program.
#include <string>

namespace gpt2::test {

// ../shared/data beside the project root, or $GPT2_SHARED_DATA_DIR.
std::string shared_data_dir();

// $env_name when set, else shared_data_dir() + "/" + relative.
std::string data_path(const char* env_name, const std::string& relative);

// The configs/ folder of the source tree.
std::string source_dir();

// A fresh empty folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `gpt2 <args>` through the shell and captures its output.
CommandResult run_cli(const std::string& args);

}  // namespace gpt2::test
