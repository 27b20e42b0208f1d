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
  if (keys.empty()) return;
  auto index = batch_index.to(keys[0].device()).to(at::kLong);  // (B')
  const int64_t rows = index.numel();
  if (rows == batch_size()) {
    // Beam search, every step: copy only the rows whose source changes, and only the filled
    // positions (copying the whole capacity made 4 beams slower on 2 threads than on 1).
    auto moved = index.ne(at::arange(rows, index.options())).nonzero().view({-1});  // (R)
    if (moved.numel() == 0) return;
    auto sources = index.index_select(0, moved);  // (R)
    for (auto* layers : {&keys, &values}) {
      for (auto& t : *layers) {
        auto filled = t.narrow(2, 0, length);                           // (B, nh, len, hs)
        filled.index_copy_(0, moved, filled.index_select(0, sources));  // gathered first
      }
    }
    return;
  }
  // A new batch size (e.g. one prompt expanded to its beams): new tensors, filled part copied.
  for (auto* layers : {&keys, &values}) {
    for (auto& t : *layers) {
      auto sizes = t.sizes().vec();
      sizes[0] = rows;
      auto fresh = at::empty(sizes, t.options());  // (B', nh, cap, hs)
      fresh.narrow(2, 0, length).copy_(t.narrow(2, 0, length).index_select(0, index));
      t = fresh;
    }
  }
}

}  // namespace gpt2
