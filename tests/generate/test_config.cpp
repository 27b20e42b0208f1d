// The generate: section's validation: clear errors for bad values and bad combinations.
#include <catch2/catch.hpp>
#include <filesystem>

#include "config/loader.h"
#include "core/error.h"
#include "generate/generate_config.h"
#include "test_support.h"

using namespace gpt2;

namespace {

std::string error_of(const std::vector<std::string>& overrides) {
  GenerateConfig config;
  try {
    load_config({section_ref(config)}, {{}, overrides});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("generate config: ranges are checked with the rule in the message") {
  CHECK_THAT(error_of({"generate.strategy=top_p", "generate.top_p=1.5"}),
             Catch::Contains("generate.top_p") && Catch::Contains("must be in (0, 1]"));
  CHECK_THAT(error_of({"generate.temperature=0"}), Catch::Contains("must be > 0"));
  CHECK_THAT(error_of({"generate.strategy=nucleus"}), Catch::Contains("must be one of"));
}

TEST_CASE("generate config: combinations are checked once") {
  CHECK(error_of({}).empty());
  CHECK(error_of({"generate.strategy=top_p", "generate.top_p=0.9", "generate.temperature=0.8"})
            .empty());
  CHECK_THAT(error_of({"generate.strategy=top_p"}), Catch::Contains("needs generate.top_p < 1"));
  CHECK_THAT(error_of({"generate.top_p=0.9"}),
             Catch::Contains("top_p only applies to sampling strategies"));
  CHECK_THAT(error_of({"generate.num_return_sequences=3"}), Catch::Contains("greedy"));
  CHECK_THAT(error_of({"generate.strategy=beam", "generate.num_beams=2",
                       "generate.num_return_sequences=3"}),
             Catch::Contains("must be <= num_beams"));
  CHECK_THAT(error_of({"generate.strategy=group_beam", "generate.num_beams=4",
                       "generate.num_beam_groups=3"}),
             Catch::Contains("must divide num_beams"));
  CHECK_THAT(error_of({"generate.min_new_tokens=10", "generate.max_new_tokens=5"}),
             Catch::Contains("min_new_tokens"));
  CHECK_THAT(error_of({"generate.processors=[topk]"}), Catch::Contains("did you mean \"top_k\""));
  CHECK_THAT(error_of({"generate.banned_token_ids=[\"12 x\"]"}),
             Catch::Contains("banned_token_ids"));
}

TEST_CASE("generate config: every YAML example under configs/generate loads") {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_dir() + "/configs/generate")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    GenerateConfig config;
    CHECK_NOTHROW(
        load_config({section_ref(config)}, {{entry.path().string()}, {}}, {"runtime", "model"}));
    ++count;
  }
  CHECK(count >= 11);  // one per strategy and sampler at least
}
