#pragma once
// A training batch as tensors on the model's device, with the count of targets that score.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>

#include "data/batch.h"

namespace gpt2 {

struct DeviceBatch {
  at::Tensor inputs, targets;  // (B, T) int64
  int64_t scored = 0;          // targets that count in the loss
};

// Checks every input id against the model's vocabulary (an Error naming the id and the likely
// cause: shards made with another tokenizer), then copies the batch to `device`.
DeviceBatch to_device(const Batch& batch, c10::Device device, int64_t vocab_size);

}  // namespace gpt2
