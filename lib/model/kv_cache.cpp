#include "model/kv_cache.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace gpt2 {

KVCache KVCache::allocate(const ModelConfig& config, int64_t batch_size, int64_t capacity,
                          const c10::TensorOptions& options) {
  require(capacity > 0 && capacity <= config.n_positions,
          "KV cache capacity must be in [1, n_positions]");
  KVCache cache;
  for (int64_t layer = 0; layer < config.n_layer; ++layer) {
    auto shape = std::vector<int64_t>{batch_size, config.n_head, capacity, config.head_size()};
    cache.keys.push_back(at::zeros(shape, options));    // (B, nh, cap, hs)
    cache.values.push_back(at::zeros(shape, options));  // (B, nh, cap, hs)
  }
  return cache;
}

int64_t KVCache::capacity() const {
  return keys.empty() ? 0 : keys[0].size(2);
}

int64_t KVCache::batch_size() const {
  return keys.empty() ? 0 : keys[0].size(0);
}

void KVCache::reorder(const at::Tensor& batch_index) {
  auto index = batch_index.to(keys.empty() ? at::kCPU : keys[0].device()).to(at::kLong);
  for (auto& k : keys) k = k.index_select(0, index);    // (B', nh, cap, hs)
  for (auto& v : values) v = v.index_select(0, index);  // (B', nh, cap, hs)
}

}  // namespace gpt2
