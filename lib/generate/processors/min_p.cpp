#include "generate/processors/min_p.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

MinPProcessor::MinPProcessor(double min_p, int64_t min_tokens_to_keep)
    : min_p_(min_p), min_keep_(min_tokens_to_keep) {
  require(min_p >= 0 && min_p < 1, "min_p must be in [0, 1), got " + std::to_string(min_p));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void MinPProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  auto probs = scores.softmax(-1);                                // (B, V)
  auto threshold = std::get<0>(probs.max(-1, true)).mul(min_p_);  // (B, 1)
  auto remove = probs < threshold;                                // (B, V)
  // Exactly the min_tokens_to_keep most likely stay (as Hugging Face: by topk's indices, so
  // of tokens tied at the cut only as many as fit are kept).
  const int64_t keep = std::min(min_keep_, scores.size(-1));
  remove.scatter_(-1, std::get<1>(at::topk(probs, keep, -1)), false);
  scores.masked_fill_(remove, -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> MinPProcessor::make(const ProcessorContext& context) {
  double p = context.config.processor<MinPOptions>().p;
  return p <= 0 ? nullptr : std::make_unique<MinPProcessor>(p, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
