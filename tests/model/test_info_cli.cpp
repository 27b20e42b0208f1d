// gpt2 info's options are validated: no segfault, no ATen trace, no silent clamp; --threads
// beyond the cores is capped with a warning.
#include <catch2/catch.hpp>
#include <thread>

#include "test_support.h"

using Catch::Matchers::Contains;

namespace {
gpt2::test::CommandResult info(const std::string& args) {
  return gpt2::test::run_cli("info --model tiny " + args);
}
}  // namespace

TEST_CASE(
    "gpt2 info refuses --repeats 0 or 2^31, --batch 0, a batch beyond memory, --seq -1 and a --seq "
    "beyond n_positions") {
  struct Case {
    const char* args;
    const char* message;
  } cases[] = {
      {"--repeats 0", "--repeats must be from 1 to 100000 (got 0)"},
      {"--repeats 2147483648", "--repeats must be from 1 to 100000 (got 2147483648)"},
      {"--batch 0", "--batch must be at least 1 (got 0)"},
      {"--seq 8 --batch 2147483648", "--batch 2147483648 x --seq 8 needs about "},
      {"--seq -1", "--seq must be at least 1, or 0 for the default (got -1)"},
      {"--seq 100000", "--seq 100000 exceeds the model's context (n_positions "},
  };
  for (const auto& c : cases) {
    auto result = info(c.args);
    INFO(c.args << "\n" << result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Contains(std::string("gpt2 info: error: ") + c.message));
    CHECK_THAT(result.output, !Contains("internal error") && !Contains("Exception raised"));
  }
  auto ok = info("--seq 8 --repeats 1 --threads 1");
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Contains("(B, T) = (1, 8)") && Contains("median of 1"));
}

TEST_CASE("gpt2 info: threads beyond the core count are capped at it with a warning") {
  auto result = info("--threads 1000 --no-timing");
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.output, Contains("warning: runtime.threads 1000 exceeds the"));
  CHECK_THAT(result.output, !Contains("1000 threads"));
}
