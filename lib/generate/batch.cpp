#include "generate/batch.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/error.h"

namespace gpt2 {

PaddedBatch left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_id) {
  require(!prompts.empty(), "no prompts to decode");
  size_t width = 0;
  for (const auto& p : prompts) width = std::max(width, p.size());
  const auto rows = static_cast<int64_t>(prompts.size());
  auto ids = at::full({rows, static_cast<int64_t>(width)}, pad_id, at::kLong);  // (B, P)
  auto mask = at::zeros({rows, static_cast<int64_t>(width)}, at::kLong);        // (B, P)
  auto id = ids.accessor<int64_t, 2>();
  auto m = mask.accessor<int64_t, 2>();
  for (int64_t b = 0; b < rows; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    require(!p.empty(), "prompt " + std::to_string(b) + " is empty");
    size_t offset = width - p.size();
    for (size_t i = 0; i < p.size(); ++i) {
      id[b][static_cast<int64_t>(offset + i)] = p[i];
      m[b][static_cast<int64_t>(offset + i)] = 1;
    }
  }
  return {ids, mask, positions_from_mask(mask)};
}

at::Tensor positions_from_mask(const at::Tensor& attention_mask) {
  return (attention_mask.cumsum(-1) - 1).clamp_min(0);  // (B, S)
}

}  // namespace gpt2
