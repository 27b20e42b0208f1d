#pragma once
// The one way from settings to GenerationOptions, for every command that generates: the
// tokenizer's end-of-text id and detokenizer, and banned_words through the tokenizer.
#include <cstdint>
#include <string>
#include <vector>

#include "generate/generator.h"

namespace gpt2 {

class Tokenizer;  // tokenizer/tokenizer.h

// `config` is validated here. End-of-text is the tokenizer's (a tokenizer without one, such as
// a character vocabulary, never stops on it). The options' detokenizer refers to `tokenizer`,
// which must outlive them.
GenerationOptions make_generation_options(const GenerateConfig& config, const Tokenizer& tokenizer,
                                          uint64_t seed);

// A prompt's ids. An empty prompt is end-of-text alone: it starts a new document, as GPT-2
// was trained.
std::vector<int64_t> encode_prompt(const Tokenizer& tokenizer, const std::string& text);

}  // namespace gpt2
