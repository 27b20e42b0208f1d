#include "generate/processors/top_p.h"

#include <ATen/ATen.h>

#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

TopPProcessor::TopPProcessor(double top_p) : top_p_(top_p) {
  require(top_p > 0 && top_p <= 1, "top_p must be in (0, 1], got " + std::to_string(top_p));
}

void TopPProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  // Ascending order: the tokens to drop are a prefix whose mass is <= 1 - top_p.
  auto sorted = at::sort(scores, -1, /*descending=*/false);
  const auto& values = std::get<0>(sorted);                     // (B, V)
  const auto& order = std::get<1>(sorted);                      // (B, V)
  auto cumulative = values.softmax(-1).cumsum(-1);              // (B, V)
  auto drop_sorted = cumulative <= (1.0 - top_p_);              // (B, V)
  drop_sorted.narrow(-1, scores.size(-1) - 1, 1).fill_(false);  // the most likely stays
  auto drop = at::zeros_like(drop_sorted).scatter_(-1, order, drop_sorted);  // (B, V)
  scores.masked_fill_(drop, -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> TopPProcessor::make(const ProcessorContext& context) {
  double p = context.config.top_p;
  return p >= 1.0 ? nullptr : std::make_unique<TopPProcessor>(p);
}

}  // namespace gpt2
