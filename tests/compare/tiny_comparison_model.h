#pragma once
// The comparison tests' model: a character SentencePiece tokenizer trained on the first
// `text_chars` of TinyShakespeare (written to dir/text.txt) and a 1-layer GPT-2 of width
// `n_embd`, saved with it as dir/model.
#include <ATen/ATen.h>

#include <string>

#include "core/files.h"
#include "io/checkpoint.h"
#include "test_support.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::test {

inline void write_tiny_comparison_model(const TempDir& dir, size_t text_chars, int64_t n_embd,
                                        uint64_t seed) {
  std::string text = read_file(data_path(nullptr, "tinyshakespeare/input.txt"));
  write_file_atomic(dir.file("text.txt"), text.substr(0, text_chars));
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.inputs = {dir.file("text.txt")};
  auto tokenizer = train_sentencepiece(options);
  ModelConfig model_config;
  model_config.vocab_size = tokenizer->vocab_size();
  model_config.n_positions = 64;
  model_config.n_embd = n_embd;
  model_config.n_layer = 1;
  model_config.n_head = 2;
  model_config.bos_token_id = model_config.eos_token_id = 0;
  at::manual_seed(seed);
  GPT2LMHeadModel model(model_config);
  save_model_dir(*model, dir.file("model"));
  save_tokenizer(*tokenizer, dir.file("model"));
}

}  // namespace gpt2::test
