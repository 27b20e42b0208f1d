#pragma once
// GPT-2's own tokenizer (encoder.json + vocab.bpe of the shared data), loaded once per test
// program, and its ids as shards store them.
#include <cstdint>
#include <vector>

#include "test_support.h"
#include "tokenizer/gpt2_bpe.h"

namespace gpt2::test {

inline const Tokenizer& openai_tokenizer() {
  static auto tokenizer = Gpt2Bpe::load(gpt2_tokenizer_dir());
  return *tokenizer;
}

inline std::vector<uint32_t> as_u32(const std::vector<int32_t>& ids) {
  return {ids.begin(), ids.end()};
}

}  // namespace gpt2::test
