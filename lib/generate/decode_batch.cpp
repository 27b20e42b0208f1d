#include "generate/decode_batch.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/error.h"
#include "generate/batch.h"

namespace gpt2 {

DecodeBatch::DecodeBatch(LogitsSource& model, const std::vector<std::vector<int64_t>>& prompts,
                         int64_t max_new_tokens)
    : model_(model) {
  const int64_t context = model.context_length();
  size_t shortest = prompts.empty() ? 0 : prompts[0].size();
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto length = static_cast<int64_t>(prompts[i].size());
    require(length < context, "prompt " + std::to_string(i) + " has " + std::to_string(length) +
                                  " tokens, which leaves no room in the model's context of " +
                                  std::to_string(context) + " positions");
    shortest = std::min(shortest, prompts[i].size());
  }
  PaddedBatch batch = left_pad(prompts);
  ids_ = batch.input_ids;
  mask_ = batch.attention_mask;
  positions_ = batch.position_ids;
  // A row grows until max_new_tokens or its own context end, so shorter (more padded) rows
  // may need more cache columns than the longest prompt.
  int64_t grow = std::min(max_new_tokens, context - static_cast<int64_t>(shortest));
  model_.start(rows(), ids_.size(1) + grow);
}

at::Tensor DecodeBatch::run(const at::Tensor& ids, const at::Tensor& positions) {
  StepInput input{ids, mask_, positions};
  return model_.step(input).to(at::kFloat, /*non_blocking=*/false, /*copy=*/true);  // (B, V)
}

at::Tensor DecodeBatch::prefill() {
  return run(ids_, positions_);
}

void DecodeBatch::select_rows(const std::vector<int64_t>& index) {
  auto rows = at::tensor(index, at::kLong);  // (B')
  ids_ = ids_.index_select(0, rows);
  mask_ = mask_.index_select(0, rows);
  positions_ = positions_.index_select(0, rows);
  model_.select_rows(rows);
}

at::Tensor DecodeBatch::next_logits(std::unique_ptr<DecodeBatch>& batch,
                                    const std::vector<int64_t>& rows, const at::Tensor& tokens,
                                    const std::vector<TokenHistory>& histories,
                                    int64_t max_new_tokens) {
  if (batch->full()) {
    std::vector<std::vector<int64_t>> sequences;
    for (const auto& h : histories) sequences.push_back(h.tokens);
    batch = std::make_unique<DecodeBatch>(batch->model_, sequences, max_new_tokens);
    return batch->prefill();
  }
  if (!rows.empty()) batch->select_rows(rows);
  return batch->advance(tokens);
}

at::Tensor DecodeBatch::advance(const at::Tensor& tokens) {
  auto column = tokens.to(at::kCPU, at::kLong).reshape({-1, 1});             // (B, 1)
  auto next_position = positions_.narrow(1, positions_.size(1) - 1, 1) + 1;  // (B, 1)
  ids_ = at::cat({ids_, column}, 1);                                         // (B, S+1)
  mask_ = at::cat({mask_, at::ones_like(column)}, 1);                        // (B, S+1)
  positions_ = at::cat({positions_, next_position}, 1);                      // (B, S+1)
  if (model_.incremental()) return run(column, next_position);
  return run(ids_, positions_);
}

}  // namespace gpt2
