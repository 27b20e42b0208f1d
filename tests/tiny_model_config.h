#pragma once
// The small GPT-2 shapes the tests build models from, written once. End-of-text (and
// beginning) is the last id, as in GPT-2's own vocabulary.
#include <cstdint>

#include "model/model_config.h"

namespace gpt2::test {

inline ModelConfig tiny_model_config(int64_t vocab_size, int64_t n_positions, int64_t n_embd,
                                     int64_t n_layer = 2, int64_t n_head = 2) {
  ModelConfig config;
  config.vocab_size = vocab_size;
  config.n_positions = n_positions;
  config.n_embd = n_embd;
  config.n_layer = n_layer;
  config.n_head = n_head;
  config.bos_token_id = config.eos_token_id = vocab_size - 1;
  return config;
}

// The model the io tests save and load: 50 tokens, 16 positions, width 8.
inline ModelConfig io_test_config() {
  return tiny_model_config(50, 16, 8);
}

}  // namespace gpt2::test
