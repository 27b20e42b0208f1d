// gpt2-ablate's sweep file through the one config loader: its axes are checked against the
// fields and rules of the sections `gpt2 train` reads before anything runs (--dry-run here).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

test::CommandResult run_ablate(const std::string& args) {
  const std::string command = std::string(GPT2_TEST_ABLATE_PATH) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string sweep_with_axes(const test::TempDir& dir, const std::string& axes,
                            const std::string& set = "[]") {
  write_file_atomic(dir.file("base.yaml"), "model:\n  n_embd: 64\n  n_head: 4\n");
  write_file_atomic(dir.file("sweep.yaml"),
                    "ablation:\n  base: [" + dir.file("base.yaml") + "]\n  set: " + set +
                        "\n  out_dir: " + dir.file("out") + "\naxes:\n" + axes);
  return dir.file("sweep.yaml");
}

}  // namespace

TEST_CASE("gpt2-ablate checks each axis against the training sections, naming file:line") {
  test::TempDir dir;
  auto good = run_ablate(sweep_with_axes(dir, "  model.n_layer: [2, 4]\n  train.adapter.r: [8]\n") +
                         " --dry-run");
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, Contains("n_layer=2,r=8,seed=1") && Contains("n_layer=4,r=8,seed=1"));

  const std::string path = dir.file("sweep.yaml");
  auto bad_value = run_ablate(sweep_with_axes(dir, "  model.n_layer:\n    - 2\n    - 0\n"));
  CHECK(bad_value.exit_code == 1);
  CHECK_THAT(bad_value.output,
             Contains(path + ":8: axes.model.n_layer: value \"0\" is invalid: must be > 0"));

  auto unknown = run_ablate(sweep_with_axes(dir, "  train.lr: [1e-3]\n  train.lrr: [1e-3]\n"));
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Contains(path + ":7: axes.train.lrr: unknown key path") &&
                                 Contains("did you mean \"train.lr\"?"));

  auto empty = run_ablate(sweep_with_axes(dir, "  train.schedule: []\n"));
  CHECK(empty.exit_code == 1);
  CHECK_THAT(empty.output,
             Contains(path + ":6: axes.train.schedule: give a list of at least one value"));

  auto choice = run_ablate(sweep_with_axes(dir, "  train.schedule: [cosine, halving]\n"));
  CHECK(choice.exit_code == 1);
  CHECK_THAT(choice.output,
             Contains(path + ":6: axes.train.schedule: value \"halving\" is invalid"));
}

TEST_CASE("gpt2-ablate --dry-run checks every run's whole training config") {
  test::TempDir dir;
  // ablation.set entries go through the same rules as --set, named with the run they break.
  auto bad_set =
      run_ablate(sweep_with_axes(dir, "  model.n_layer: [2]\n", "[train.lr=-1]") + " --dry-run");
  CHECK(bad_set.exit_code == 1);
  CHECK_THAT(bad_set.output,
             Contains("run n_layer=2,seed=1: ") && Contains("train.lr") && Contains("-1"));
  auto unknown_set =
      run_ablate(sweep_with_axes(dir, "  model.n_layer: [2]\n", "[train.lrr=1e-3]") + " --dry-run");
  CHECK(unknown_set.exit_code == 1);
  CHECK_THAT(unknown_set.output, Contains("train.lrr") && Contains("did you mean"));
  // A cross-field rule an axis value breaks only together with the base: n_head 4 must
  // divide n_embd, 64 in the base, 90 on the axis.
  auto cross = run_ablate(sweep_with_axes(dir, "  model.n_embd: [64, 90]\n") + " --dry-run");
  CHECK(cross.exit_code == 1);
  CHECK_THAT(cross.output, Contains("run n_embd=90,seed=1: ") &&
                               Contains("model.n_head (4) must divide model.n_embd (90)"));
}
