#include "generate/processors/min_p.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

MinPProcessor::MinPProcessor(double min_p) : min_p_(min_p) {
  require(min_p >= 0 && min_p < 1, "min_p must be in [0, 1), got " + std::to_string(min_p));
}

void MinPProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  auto probs = scores.softmax(-1);                                // (B, V)
  auto threshold = std::get<0>(probs.max(-1, true)).mul(min_p_);  // (B, 1)
  remove_keeping_top(scores, probs < threshold);
}

std::unique_ptr<LogitsProcessor> MinPProcessor::make(const ProcessorContext& context) {
  double p = context.config.min_p;
  return p <= 0 ? nullptr : std::make_unique<MinPProcessor>(p);
}

}  // namespace gpt2
