#include "generate/strategies/sample.h"

#include <ATen/ATen.h>

namespace gpt2 {

at::Tensor SampleSearch::draw(const at::Tensor& scores, std::vector<RandomStream*>& streams) {
  auto probs = scores.softmax(-1).to(at::kCPU).contiguous();  // (B, V)
  const int64_t rows = probs.size(0), vocab = probs.size(1);
  auto tokens = at::empty({rows}, at::kLong);  // (B)
  auto* out = tokens.data_ptr<int64_t>();
  const float* p = probs.data_ptr<float>();
  for (int64_t b = 0; b < rows; ++b)
    out[b] = sample_index(p + b * vocab, vocab, streams[static_cast<size_t>(b)]->uniform());
  return tokens.to(scores.device());
}

}  // namespace gpt2
