#pragma once
// The model side of a batch being decoded, shared by all strategies: left-padded prefill,
// the attention mask and positions as tokens are appended, and row selection (finished rows
// leaving, beams reordering) kept in step with the model's cache.
#include <ATen/core/Tensor.h>

#include <memory>
#include <vector>

#include "generate/logits_processor.h"
#include "generate/logits_source.h"

namespace gpt2 {

class DecodeBatch {
 public:
  // Throws Error when a prompt leaves no room in the model's context.
  DecodeBatch(LogitsSource& model, const std::vector<std::vector<int64_t>>& prompts,
              int64_t max_new_tokens);

  // Runs the prompts; returns the next-token logits (B, V) float32.
  at::Tensor prefill();
  // Row i becomes old row index[i], here and in the model.
  void select_rows(const std::vector<int64_t>& index);
  // Appends tokens (B) int64, one per row; returns the next logits (B, V) float32.
  at::Tensor advance(const at::Tensor& tokens);
  int64_t rows() const { return mask_.size(0); }
  // True when the padded width fills the model's context, so advance() cannot append: shorter
  // rows may still have room; decode loops then start a new batch from the rows' tokens.
  bool full() const { return mask_.size(1) >= model_.context_length(); }

  // One decoding step for every strategy: rows `rows` of `batch` (old indices in their new
  // order; empty = all, unchanged) each append `tokens` (one per kept row), and the next logits
  // (B', V) come back. `histories` are the kept rows' whole sequences, tokens appended: when
  // left padding has used up the context, the batch is rebuilt from them.
  static at::Tensor next_logits(std::unique_ptr<DecodeBatch>& batch,
                                const std::vector<int64_t>& rows, const at::Tensor& tokens,
                                const std::vector<TokenHistory>& histories, int64_t max_new_tokens);

 private:
  at::Tensor run(const at::Tensor& ids, const at::Tensor& positions);

  LogitsSource& model_;
  at::Tensor ids_;        // (B, S): the whole padded sequence (non-incremental sources)
  at::Tensor mask_;       // (B, S)
  at::Tensor positions_;  // (B, S)
};

}  // namespace gpt2
