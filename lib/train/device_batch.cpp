#include "train/device_batch.h"

#include <ATen/ATen.h>

#include <string>

#include "core/error.h"
#include "core/tokens.h"

namespace gpt2 {

DeviceBatch to_device(const Batch& batch, c10::Device device, int64_t vocab_size) {
  for (int64_t id : batch.inputs)
    require(id >= 0 && id < vocab_size,
            "the data holds token id " + std::to_string(id) + " but the model's vocab_size is " +
                std::to_string(vocab_size) + "; were the shards made with another tokenizer?");
  DeviceBatch out;
  auto make = [&](const std::vector<int64_t>& v) {
    return at::tensor(v, at::kLong).view({batch.rows, batch.cols}).to(device);  // (B, T)
  };
  out.inputs = make(batch.inputs);
  out.targets = make(batch.targets);  // kIgnoreIndex = not scored
  out.scored = 0;
  for (int64_t t : batch.targets) out.scored += t != kIgnoreIndex;
  return out;
}

}  // namespace gpt2
