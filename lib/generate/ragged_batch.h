#pragma once
// A batch whose rows advance by different amounts, for speculative decoding (every row gets k
// drafted tokens, then drops its rejected ones) and contrastive search (hidden states of every
// position). GPT-2's cache has one length for all rows, so a row that keeps fewer tokens than
// another leaves masked columns ("holes") behind, exactly like left padding: the attention mask
// hides them and a row's positions count only its real tokens, so every row computes what it
// would alone. Holes use up columns; when the next block does not fit (room()), the caller
// packs the batch (pack(): the cache's columns are moved, nothing is recomputed).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "generate/logits_source.h"

namespace gpt2 {

class RaggedBatch {
 public:
  // rows[b]: the tokens row b starts with (may be empty). capacity: the columns the model
  // allocates, at most its context and at least the longest row.
  RaggedBatch(LogitsSource& model, const std::vector<std::vector<int64_t>>& rows, int64_t capacity);

  // Runs the starting tokens. prefill_last: logits of the last column (B, V) float32,
  // undefined when every row started empty. prefill_all: every column (B, S, V) (and hidden
  // states (B, S, C) when asked for).
  at::Tensor prefill_last();
  StepOutput prefill_all(bool hidden);
  // Appends a block tokens (B, W) int64; valid (B, W) int64 says which entries are row b's next
  // tokens (1), in order, and which are holes (0). append_last: logits of the block's last
  // column (B, V) (which must be real in every row); append_all: (B, W, V) [+ (B, W, C)].
  at::Tensor append_last(const at::Tensor& tokens, const at::Tensor& valid);
  StepOutput append_all(const at::Tensor& tokens, const at::Tensor& valid, bool hidden);
  // Row b forgets its last drop[b] real tokens; columns no row uses any more are released.
  void drop_last(const std::vector<int64_t>& drop);
  // Moves every row's real tokens to the end of its columns (left padding again), here and in
  // the model's cache, so the width is the longest row's length: room for more blocks.
  void pack();
  // Row i becomes old row index[i], here and in the model.
  void select_rows(const std::vector<int64_t>& index);

  int64_t rows() const { return mask_.size(0); }
  int64_t width() const { return mask_.size(1); }
  int64_t room() const { return capacity_ - width(); }  // columns left for blocks
  const at::Tensor& mask() const { return mask_; }      // (B, S) int64, 1 = real
  int64_t length(int64_t row) const { return lengths_[static_cast<size_t>(row)]; }

 private:
  at::Tensor extend(const at::Tensor& tokens, const at::Tensor& valid);  // block positions
  StepInput input(const at::Tensor& block, const at::Tensor& block_positions) const;

  LogitsSource& model_;
  int64_t capacity_;
  at::Tensor ids_;                // (B, S): the whole sequence (non-incremental sources)
  at::Tensor mask_;               // (B, S)
  at::Tensor positions_;          // (B, S)
  std::vector<int64_t> lengths_;  // real tokens per row
};

}  // namespace gpt2
