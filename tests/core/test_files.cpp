// Atomic writes under a real file-size limit (RLIMIT_FSIZE in a forked child): a failed write
// names the file, leaves no temp file, and a group of files is written all or nothing.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>

#include "core/error.h"
#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Runs `body` in a child limited to `limit` bytes per file; returns the Error message it got
// ("" when none was thrown).
std::string error_under_file_limit(rlim_t limit, const std::function<void()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit r{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &r);
    try {
      body();
    } catch (const Error& e) {
      std::string what = e.what();
      if (::write(fds[1], what.data(), what.size()) < 0) ::_exit(3);
      ::_exit(0);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[1024];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return text;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a write over the file-size limit names the file and leaves the old one intact") {
  test::TempDir dir;
  write_file_atomic(dir.file("a.txt"), "old");
  std::string error = error_under_file_limit(
      1000, [&] { write_file_atomic(dir.file("a.txt"), std::string(5000, 'x')); });
  CHECK_THAT(error, Contains("write failed for " + dir.file("a.txt") + " (disk full?)"));
  CHECK(read_file(dir.file("a.txt")) == "old");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"a.txt"});
}

TEST_CASE("write_files_atomic writes all files or none") {
  test::TempDir dir;
  write_file_atomic(dir.file("eval.json"), "old json");
  std::string error = error_under_file_limit(1000, [&] {
    write_files_atomic({{dir.file("eval.json"), "new json"},
                        {dir.file("eval.csv"), "new csv"},
                        {dir.file("report.html"), std::string(5000, 'h')}});
  });
  CHECK_THAT(error, Contains("write failed for " + dir.file("report.html") + " (disk full?)") &&
                        Contains("none of " + dir.file("eval.json")));
  CHECK(read_file(dir.file("eval.json")) == "old json");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"eval.json"});

  write_files_atomic({{dir.file("eval.json"), "new json"}, {dir.file("eval.csv"), "new csv"}});
  CHECK(read_file(dir.file("eval.json")) == "new json");
  CHECK(read_file(dir.file("eval.csv")) == "new csv");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"eval.csv", "eval.json"});
}
