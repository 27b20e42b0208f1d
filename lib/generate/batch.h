#pragma once
// Left padding for batches of prompts of different lengths: every prompt ends at the same
// column, so the next token of every row is predicted from the last column.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace gpt2 {

struct PaddedBatch {
  at::Tensor input_ids;       // (B, P) int64, pad_id on the left
  at::Tensor attention_mask;  // (B, P) int64, 0 on padding
  at::Tensor position_ids;    // (B, P) int64, 0 on padding, then 0, 1, 2, ...
};

PaddedBatch left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_id = 0);

// The position of each column: the count of real tokens before it (0 on padding).
at::Tensor positions_from_mask(const at::Tensor& attention_mask);  // (B, S) -> (B, S)

}  // namespace gpt2
