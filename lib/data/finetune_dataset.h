#pragma once
// Fine-tuning examples from JSONL lines {"prompt": ..., "completion": ...}: each example is
// prompt ids + completion ids + end-of-text, and the loss covers only the completion tokens
// and that end-of-text (the model learns to answer and to stop, not to echo prompts).
//
// Rows have block_size + 1 tokens (inputs = row[0..T), targets = row[1..T]). padding: one
// example per row, cut to T+1 tokens (counted in `truncated`), the rest filled with the pad id
// (the tokenizer's pad, else end-of-text) and masked. packing: examples back to back, cut into
// windows every T tokens so each token is a target once; attention is not blocked between
// packed examples (as in nanoGPT-style packing).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "data/batch.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

struct FinetuneOptions {
  int64_t block_size = 1024;
  bool pack = false;
  std::string prompt_field = "prompt";
  std::string completion_field = "completion";
};

class FinetuneDataset {
 public:
  static FinetuneDataset load(const std::string& jsonl_path, const Tokenizer& tokenizer,
                              const FinetuneOptions& options);

  int64_t rows() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t examples() const { return examples_; }
  int64_t truncated() const { return truncated_; }  // padding: examples cut to fit a row
  int64_t block_size() const { return block_size_; }

  // The batch of the given rows (B = row_ids.size()); masked targets are -1.
  Batch batch(const std::vector<int64_t>& row_ids) const;

  // Row order of one epoch: a shuffle that depends only on (seed, epoch), so a run resumes
  // from (epoch, position) exactly.
  std::vector<int64_t> epoch_order(uint64_t seed, int64_t epoch) const;

  // Row r as stored: T+1 tokens and, per token, whether it is a completion token.
  const std::vector<int32_t>& row_tokens(int64_t r) const { return tokens_[r]; }
  const std::vector<uint8_t>& row_completion(int64_t r) const { return completion_[r]; }

 private:
  std::vector<std::vector<int32_t>> tokens_;
  std::vector<std::vector<uint8_t>> completion_;
  int64_t examples_ = 0, truncated_ = 0, block_size_ = 0;
};

}  // namespace gpt2
