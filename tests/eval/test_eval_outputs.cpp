// gpt2 eval --out on a full disk (a real 600-byte file-size limit): eval.json, eval.csv and
// report.html are written all or nothing, and the error names the file that failed. Settings
// that could not be honoured are refused, not ignored.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "data/shard_format.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

// `gpt2 <args>` with every file it writes limited to `limit` bytes.
test::CommandResult run_cli_with_file_limit(const std::string& args, rlim_t limit) {
  return test::run_with_file_limit(limit, [&](int fd) {
    auto result = test::run_cli(args);
    if (::write(fd, result.output.data(), result.output.size()) < 0) return 97;
    return result.exit_code;
  });
}

}  // namespace

TEST_CASE("gpt2 eval --out on a full disk writes all outputs or none") {
  test::TempDir dir;
  const std::string model = test::golden_model_dir();
  std::vector<uint32_t> tokens;
  for (int i = 0; i < 300; ++i) tokens.push_back(uint32_t(1 + i % 199));
  write_shard(dir.file("val.bin"), tokens, 2);
  const std::string args = "eval --model " + model + " --data " + dir.file("val.bin") + " --out ";

  // Unlimited: the three files; eval.json and eval.csv fit in 600 bytes, the report does not.
  auto full = test::run_cli(args + dir.file("full"));
  INFO(full.output);
  REQUIRE(full.exit_code == 0);
  REQUIRE(file_size(dir.file("full/eval.json")) < 600);
  REQUIRE(file_size(dir.file("full/eval.csv")) < 600);
  REQUIRE(file_size(dir.file("full/report.html")) > 600);

  auto limited = run_cli_with_file_limit(args + dir.file("limited"), 600);
  INFO(limited.output);
  CHECK(limited.exit_code == 1);
  CHECK_THAT(limited.output,
             Contains("write failed for " + dir.file("limited/report.html") + " (disk full?)") &&
                 Contains("none of " + dir.file("limited/eval.json")) &&
                 !Contains("internal error"));
  // Nothing half-written: the folder holds no output and no temp file.
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("limited")))
    left.push_back(entry.path().filename().string());
  CHECK(left.empty());
}

TEST_CASE("gpt2 eval refuses a stride beyond the window and per-example logs without a task") {
  test::TempDir dir;
  std::vector<uint32_t> tokens;
  for (int i = 0; i < 300; ++i) tokens.push_back(uint32_t(1 + i % 199));
  write_shard(dir.file("val.bin"), tokens, 2);
  const std::string args =
      "eval --model " + test::golden_model_dir() + " --data " + dir.file("val.bin");
  auto ok = test::run_cli(args + " --context 16 --stride 16");  // 16 means 15: one token overlap
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  auto wide = test::run_cli(args + " --context 16 --stride 17");
  CHECK(wide.exit_code == 1);
  CHECK_THAT(wide.output, Contains("eval.stride 17 exceeds the window (eval.context 16)"));
  auto samples = test::run_cli(args + " --log-samples " + dir.file("s.jsonl"));
  CHECK(samples.exit_code == 1);
  CHECK_THAT(samples.output, Contains("--log-samples") && Contains("give --task too"));
  CHECK_FALSE(file_exists(dir.file("s.jsonl")));
}
