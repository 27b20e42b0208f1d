#include "generate/logits_processor.h"

#include <ATen/ATen.h>

#include <limits>

namespace gpt2 {

void ban_tokens(at::Tensor& scores, int64_t row, const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  auto index = at::tensor(ids, at::kLong).to(scores.device());  // (n)
  scores.select(0, row).index_fill_(0, index, -std::numeric_limits<float>::infinity());
}

void remove_keeping_top(at::Tensor& scores, const at::Tensor& remove) {
  auto top = std::get<0>(scores.max(-1, /*keepdim=*/true));  // (B, 1)
  scores.masked_fill_(remove & (scores < top), -std::numeric_limits<float>::infinity());
}

}  // namespace gpt2
