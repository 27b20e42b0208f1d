#include "generate/processors/top_p.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

TopPProcessor::TopPProcessor(double top_p, int64_t min_tokens_to_keep)
    : top_p_(top_p), min_keep_(min_tokens_to_keep) {
  require(top_p > 0 && top_p <= 1, "top_p must be in (0, 1], got " + std::to_string(top_p));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void TopPProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  // Ascending order: the tokens to drop are a prefix whose mass is <= 1 - top_p.
  const int64_t vocab = scores.size(-1), keep = std::min(min_keep_, vocab);
  auto sorted = at::sort(scores, -1, /*descending=*/false);
  const auto& values = std::get<0>(sorted);         // (B, V)
  const auto& order = std::get<1>(sorted);          // (B, V)
  auto cumulative = values.softmax(-1).cumsum(-1);  // (B, V)
  auto drop_sorted = cumulative <= (1.0 - top_p_);  // (B, V)
  // The min_tokens_to_keep most likely stay, even outside the nucleus.
  drop_sorted.narrow(-1, vocab - keep, keep).fill_(false);
  auto drop = at::zeros_like(drop_sorted).scatter_(-1, order, drop_sorted);  // (B, V)
  scores.masked_fill_(drop, -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> TopPProcessor::make(const ProcessorContext& context) {
  double p = context.config.processor<TopPOptions>().p;
  return p >= 1.0 ? nullptr : std::make_unique<TopPProcessor>(p, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
