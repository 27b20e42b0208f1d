#pragma once
// A batch of token windows in plain buffers (no torch): row-major (rows, cols). A trainer
// turns them into tensors: inputs and targets int64 (B, T), loss_mask (B, T) when present.
#include <cstdint>
#include <vector>

#include "core/tokens.h"

namespace gpt2 {

struct Batch {
  int64_t rows = 0;              // B
  int64_t cols = 0;              // T
  std::vector<int64_t> inputs;   // tokens t .. t+T-1 of each window
  std::vector<int64_t> targets;  // tokens t+1 .. t+T (kIgnoreIndex where the loss is masked)
  // 1 where a target counts in the loss; empty = every target counts (pretraining).
  std::vector<uint8_t> loss_mask;

  int64_t at(const std::vector<int64_t>& buffer, int64_t row, int64_t col) const {
    return buffer[row * cols + col];
  }
};

}  // namespace gpt2
