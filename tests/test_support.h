#pragma once
// Helpers shared by the tests: where the reference data lives, scratch folders, and running
// the gpt2 program.
#include <cstdint>
#include <functional>
#include <string>

namespace gpt2::test {

// ../shared/data beside the project root, or $GPT2_SHARED_DATA_DIR.
std::string shared_data_dir();

// $env_name when set, else shared_data_dir() + "/" + relative.
std::string data_path(const char* env_name, const std::string& relative);

// The configs/ folder of the source tree.
std::string source_dir();

// The tiny golden GPT-2 model directory ($GPT2_GOLDEN_DIR/tiny-gpt2).
std::string golden_model_dir();

// GPT-2's encoder.json + vocab.bpe ($GPT2_TOKENIZER_DIR).
std::string gpt2_tokenizer_dir();

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

// `s` in single quotes for a shell command line (a ' inside is closed, escaped, reopened).
std::string shell_quoted(const std::string& s);

// Runs `gpt2 <args>` through the shell and captures its output.
CommandResult run_cli(const std::string& args);

// A forked child and the read end of its pipe.
struct ChildProcess {
  int pid = -1;
  int from_child = -1;
};

// Forks; the child runs `body(write_fd)` and exits with its return value (99 when it throws).
// Only plain file work in the child: no torch threads are started after a fork.
ChildProcess fork_child(const std::function<int(int)>& body);

// Everything written to `fd` until the writer closes it; closes `fd`.
std::string read_all(int fd);

// Reads the child's output to the end and reaps it: its exit code (-1 for a signal) and output.
CommandResult wait_child(ChildProcess child);

// Waits for process `pid`: its exit status, or 128 + the signal that ended it (as a shell says).
int wait_exit(int pid);

// Forks; the child limits every file it writes to `file_limit` bytes (RLIMIT_FSIZE: with
// SIGXFSZ ignored, as the gpt2 program does, a write past it fails as on a full disk), runs
// `body(write_fd)` and exits with its return value. Returns that exit code (-1 for a signal) and
// what the child wrote to write_fd. For disk-full tests.
CommandResult run_with_file_limit(uint64_t file_limit, const std::function<int(int)>& body);

}  // namespace gpt2::test
