#include "generate/generation_options.h"

#include "core/error.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/dry.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

GenerationOptions make_generation_options(const GenerateConfig& config, const Tokenizer& tokenizer,
                                          uint64_t seed) {
  config.validate();
  GenerationOptions options;
  options.config = config;
  options.seed = seed;
  options.eos_id = tokenizer.special_tokens().end_of_text;
  options.decode = [&tokenizer](const std::vector<int64_t>& ids) {
    return tokenizer.decode(std::vector<int32_t>(ids.begin(), ids.end()));
  };
  for (const auto& word : config.processor<BannedSequencesOptions>().words) {
    auto ids = tokenizer.encode(word);
    require(!ids.empty(), "generate.banned_words: an entry is empty; remove it");
    options.banned.emplace_back(ids.begin(), ids.end());
  }
  const auto& dry = config.processor<DryOptions>();
  if (dry.enabled())
    options.dry_breakers = DryProcessor::breaker_sequences(
        dry.sequence_breakers, tokenizer.vocab_size(),
        [&tokenizer](int64_t id) { return tokenizer.decode({static_cast<int32_t>(id)}); },
        [&tokenizer](const std::string& text) {
          auto ids = tokenizer.encode(text);
          return std::vector<int64_t>(ids.begin(), ids.end());
        });
  return options;
}

std::vector<int64_t> encode_prompt(const Tokenizer& tokenizer, const std::string& text) {
  auto ids = tokenizer.encode(text);
  if (!ids.empty()) return std::vector<int64_t>(ids.begin(), ids.end());
  const int64_t eos = tokenizer.special_tokens().end_of_text;
  require(eos >= 0,
          "an empty prompt starts a new document with end-of-text, but this tokenizer has no "
          "end-of-text token: give a non-empty prompt");
  return {eos};
}

}  // namespace gpt2
