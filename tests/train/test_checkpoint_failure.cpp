// gpt2 train on a full disk (a real file-size limit, ulimit -f): the checkpoint write fails,
// training stops cleanly with exit 1 naming the file, no temp folder or crash left behind.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "test_support.h"
#include "train_test_util.h"

using namespace gpt2;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("gpt2 train: a full disk during a checkpoint stops cleanly with exit 1, no crash") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string run = dir.file("run");
  // 160 KiB per file: model.safetensors (~110 KiB) fits, trainer_state.pt (the Adam moments,
  // ~220 KiB) does not, so the failure is inside torch's archive writer.
  std::string output;
  int code =
      test::shell("bash -c \"ulimit -f 160; exec '" + test::cli_path() + "' train --config " +
                      dir.file("tiny.yaml") + " --set train.out_dir=" + run + "\" 2>&1",
                  output);
  INFO(output);
  CHECK(code == 1);
  CHECK_THAT(output, Contains("write failed for " + run +
                              "/checkpoints/.step_00000004.tmp/trainer_state.pt (disk full?)"));
  CHECK_THAT(output, Contains("No checkpoint was written before it"));
  CHECK_THAT(output, !Contains("terminate") && !Contains("internal error"));
  for (const auto& entry : fs::directory_iterator(run + "/checkpoints"))
    FAIL_CHECK("left behind: " << entry.path());
  CHECK(fs::file_size(run + "/log.jsonl") > 0);
}
