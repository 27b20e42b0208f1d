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
  auto result = test::run_with_file_limit(limit, [&](int fd) {
    ::signal(SIGXFSZ, SIG_IGN);
    try {
      body();
    } catch (const Error& e) {
      std::string what = e.what();
      if (::write(fd, what.data(), what.size()) < 0) return 3;
    }
    return 0;
  });
  REQUIRE(result.exit_code == 0);
  return result.output;
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
