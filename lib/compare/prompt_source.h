#pragma once
// Prompts and reference continuations for a sampling comparison: windows of a token stream
// (the first P tokens prompt, the next M reference), or prompt/reference pairs from JSONL.
#include <cstdint>
#include <string>
#include <vector>

#include "compare/compare_config.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

struct PromptPair {
  std::vector<int64_t> prompt, reference;  // token ids
  std::string prompt_text, reference_text;
};

// Windows start at seeded positions without overlap; throws Error when the text is too short
// for num_prompts windows of prompt_tokens + reference_tokens.
std::vector<PromptPair> windows_from_tokens(const std::vector<int64_t>& tokens,
                                            const CompareConfig& config,
                                            const Tokenizer& tokenizer);

// From config.text, config.shards or config.jsonl (exactly one must be set).
std::vector<PromptPair> load_prompt_pairs(const CompareConfig& config, const Tokenizer& tokenizer);

}  // namespace gpt2
