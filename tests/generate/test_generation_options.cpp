// make_generation_options: the one way every command turns settings and a tokenizer into
// GenerationOptions (end-of-text, detokenizer, banned words), checked against GPT-2's ids.
#include <ATen/ATen.h>  // before Catch: c10 defines its own CHECK

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "generate/generation_options.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/dry.h"
#include "test_support.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE(
    "generation options take end-of-text, the detokenizer and banned words from the tokenizer") {
  auto tokenizer = load_tokenizer(test::data_path(nullptr, "gpt2"));
  GenerateConfig config;
  config.processor<BannedSequencesOptions>().words = {" world", "Hello"};
  GenerationOptions options = make_generation_options(config, *tokenizer, 7);
  CHECK(options.seed == 7);
  CHECK(options.eos_id == 50256);
  // GPT-2 BPE (tiktoken): " world" is 995, "Hello" is 15496.
  REQUIRE(options.banned.size() == 2);
  CHECK(options.banned[0] == std::vector<int64_t>{995});
  CHECK(options.banned[1] == std::vector<int64_t>{15496});
  REQUIRE(options.decode);
  CHECK(options.decode({15496, 995}) == "Hello world");
  CHECK(resolved_stop_ids(options) == std::vector<int64_t>{50256});

  config.processor<BannedSequencesOptions>().words = {""};
  CHECK_THROWS_WITH(make_generation_options(config, *tokenizer, 0),
                    Contains("banned_words: an entry is empty"));
  config.processor<BannedSequencesOptions>().words = {};
  config.num_return_sequences = 2;  // greedy gives one answer: validated here, not by callers
  CHECK_THROWS_WITH(make_generation_options(config, *tokenizer, 0),
                    Contains("num_return_sequences > 1"));
}

TEST_CASE("an empty prompt is end-of-text alone") {
  auto tokenizer = load_tokenizer(test::data_path(nullptr, "gpt2"));
  CHECK(encode_prompt(*tokenizer, "") == std::vector<int64_t>{50256});
  CHECK(encode_prompt(*tokenizer, "Hello world") == std::vector<int64_t>({15496, 995}));
}

TEST_CASE("generation options resolve DRY's sequence breakers through GPT-2's vocabulary") {
  auto tokenizer = load_tokenizer(test::data_path(nullptr, "gpt2"));
  GenerateConfig config;
  CHECK(make_generation_options(config, *tokenizer, 0).dry_breakers.empty());  // DRY off
  config.processor<DryOptions>().multiplier = 0.8;
  config.processor<DryOptions>().sequence_breakers = {"\n", ":", "ab:"};
  auto breakers = make_generation_options(config, *tokenizer, 0).dry_breakers;
  auto has = [&](std::vector<int64_t> sequence) {
    return std::find(breakers.begin(), breakers.end(), sequence) != breakers.end();
  };
  // "\n" is 198, "\n\n" 628, ":" 25, "):" 2599: tokens containing a breaker break alone.
  CHECK(has({198}));
  CHECK(has({628}));
  CHECK(has({25}));
  CHECK(has({2599}));
  // "ab:": "ab" (397) ends with its prefix "ab", so it is a head followed by ":" (25); "a"
  // (64) is followed by the encoding of "b:" (65 25).
  CHECK(has({397, 25}));
  CHECK(has({64, 65, 25}));
  CHECK_FALSE(has({397}));
  for (const auto& b : breakers) {
    const auto text = tokenizer->decode(std::vector<int32_t>(b.begin(), b.end()));
    const bool breaks = text.find('\n') != std::string::npos || text.find(':') != std::string::npos;
    INFO(text);
    CHECK(breaks);
  }
}
