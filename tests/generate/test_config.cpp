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
  CHECK(count >= 26);  // one per strategy and processor at least
}

TEST_CASE("generate config: the Hugging Face parity fields have rules and clear errors") {
  CHECK_THAT(error_of({"generate.min_tokens_to_keep=0"}),
             Catch::Contains("generate.min_tokens_to_keep") && Catch::Contains("must be > 0"));
  CHECK_THAT(error_of({"generate.top_h=1.5"}), Catch::Contains("generate.top_h"));
  CHECK_THAT(error_of({"generate.strategy=top_h"}), Catch::Contains("needs generate.top_h > 0"));
  CHECK_THAT(error_of({"generate.top_h=0.5"}),
             Catch::Contains("top_h only applies to sampling strategies"));
  CHECK(error_of({"generate.strategy=top_h", "generate.top_h=0.5"}).empty());
  CHECK_THAT(error_of({"generate.forced_eos_token_id=-2"}),
             Catch::Contains("generate.forced_eos_token_id"));
  CHECK_THAT(error_of({"generate.suppress_tokens=[3, -1]"}), Catch::Contains("must be >= 0"));
  CHECK_THAT(error_of({"generate.exponential_decay_factor=0"}), Catch::Contains("must be > 0"));
  CHECK_THAT(error_of({"generate.exponential_decay_start=3"}),
             Catch::Contains("only applies with exponential_decay_factor != 1"));
  CHECK_THAT(error_of({"generate.repetition_penalty_prompt_ignore_length=2"}),
             Catch::Contains("only apply with repetition_penalty != 1"));
  CHECK_THAT(error_of({"generate.sequence_bias=[\"12 13\"]"}),
             Catch::Contains("sequence_bias") && Catch::Contains("must be ids = bias"));
  CHECK(error_of({"generate.sequence_bias=[\"12 13 = -1.5\", \"7 = 2\"]"}).empty());
  CHECK_THAT(error_of({"generate.strategy=beam", "generate.num_beams=2",
                       "generate.num_return_sequences=4"}),
             Catch::Contains("num_return_sequences (4) must be <= num_beams (2)"));
}
