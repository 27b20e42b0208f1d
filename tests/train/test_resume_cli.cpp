// gpt2 train --resume: its own config.yaml only (no --config mixed in), and a finished run is
// left untouched.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/files.h"
#include "test_support.h"
#include "train_test_util.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("gpt2 train --resume refuses --config, and resuming a finished run changes nothing") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string run = dir.file("run");
  auto first =
      test::run_cli("train --config " + dir.file("tiny.yaml") + " --set train.out_dir=" + run);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);

  auto mixed = test::run_cli("train --resume " + run + " --config " + dir.file("tiny.yaml"));
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.output, Contains("--resume continues " + run +
                                    " with its own config.yaml; it cannot be mixed with "
                                    "--config " +
                                    dir.file("tiny.yaml")));

  const std::string log = read_file(run + "/log.jsonl"), csv = read_file(run + "/metrics.csv");
  struct stat before {};
  ::stat((run + "/log.jsonl").c_str(), &before);
  auto again = test::run_cli("train --resume " + run);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output,
             Contains("already finished") && Contains("at step 8 of train.max_steps 8"));
  CHECK(read_file(run + "/log.jsonl") == log);
  CHECK(read_file(run + "/metrics.csv") == csv);
  struct stat after {};
  ::stat((run + "/log.jsonl").c_str(), &after);
  CHECK(after.st_ino == before.st_ino);  // not even rewritten
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);

  // With a later max_steps it trains on.
  auto more = test::run_cli("train --resume " + run + " --set train.max_steps=10");
  INFO(more.output);
  CHECK(more.exit_code == 0);
  CHECK_THAT(read_file(run + "/metrics.csv"), Contains("\n10,train"));
}
