#include "generate/top_logprobs.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace gpt2 {

TopLogprobs top_logprobs(const float* scores, int64_t vocab, float log_norm, int64_t k) {
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(vocab));
  for (int64_t v = 0; v < vocab; ++v)
    if (std::isfinite(scores[v])) ids.push_back(v);
  const auto n = std::min(ids.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  // Explicit tie order: topk's order among equal scores is unspecified.
  std::partial_sort(
      ids.begin(), ids.begin() + static_cast<long>(n), ids.end(),
      [&](int64_t a, int64_t b) { return scores[a] != scores[b] ? scores[a] > scores[b] : a < b; });
  TopLogprobs top;
  for (size_t i = 0; i < n; ++i) {
    top.ids.push_back(ids[i]);
    top.logprobs.push_back(scores[ids[i]] - log_norm);
  }
  return top;
}

std::vector<TopLogprobs> top_logprobs_rows(const at::Tensor& logp, int64_t k) {
  auto rows = logp.to(at::kCPU, at::kFloat).contiguous();  // (B, V)
  const int64_t B = rows.size(0), V = rows.size(1);
  std::vector<TopLogprobs> out;
  for (int64_t b = 0; b < B; ++b)
    out.push_back(top_logprobs(rows.data_ptr<float>() + b * V, V, 0, k));
  return out;
}

}  // namespace gpt2
