#pragma once
// Keys and values of past positions, per layer, preallocated to a capacity so incremental
// decoding writes in place instead of concatenating.
#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <vector>

#include "model/model_config.h"

namespace gpt2 {

struct KVCache {
  std::vector<at::Tensor> keys;    // per layer (B, nh, capacity, hs)
  std::vector<at::Tensor> values;  // per layer (B, nh, capacity, hs)
  int64_t length = 0;              // positions filled so far

  static KVCache allocate(const ModelConfig& config, int64_t batch_size, int64_t capacity,
                          const c10::TensorOptions& options);

  int64_t capacity() const;
  int64_t batch_size() const;
  bool empty() const { return keys.empty(); }
  // Beam search: row i of every layer becomes row batch_index[i]; batch_index is (B') int64
  // and may change the batch size (e.g. expanding one prompt to several beams). Only the
  // filled positions [0, length) are kept.
  void reorder(const at::Tensor& batch_index);
  void reset() { length = 0; }
};

}  // namespace gpt2
