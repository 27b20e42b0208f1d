#include "generate/processors/typical_p.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

TypicalPProcessor::TypicalPProcessor(double mass, int64_t min_tokens_to_keep)
    : mass_(mass), min_keep_(min_tokens_to_keep) {
  require(mass > 0 && mass <= 1, "typical_p must be in (0, 1], got " + std::to_string(mass));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void TypicalPProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  const int64_t vocab = scores.size(-1), keep = std::min(min_keep_, vocab);
  auto logp = scores.log_softmax(-1);                           // (B, V)
  auto probs = logp.exp();                                      // (B, V)
  auto entropy = -(logp * probs).nansum(-1, /*keepdim=*/true);  // (B, 1); 0*-inf = nan
  auto distance = (-logp - entropy).abs();                      // (B, V)
  auto sorted = at::sort(distance, -1, /*descending=*/false);
  const auto& sorted_distance = std::get<0>(sorted);                  // (B, V)
  const auto& order = std::get<1>(sorted);                            // (B, V)
  auto cumulative = scores.gather(-1, order).softmax(-1).cumsum(-1);  // (B, V)
  // The last kept position is the first where the mass reaches typical_p.
  auto last = (cumulative < mass_).sum(-1, true).clamp_max(vocab - 1);    // (B, 1)
  auto drop_sorted = sorted_distance > sorted_distance.gather(-1, last);  // (B, V)
  drop_sorted.narrow(-1, 0, keep).fill_(false);  // the min_tokens_to_keep most typical stay
  auto drop = at::zeros_like(drop_sorted).scatter_(-1, order, drop_sorted);  // (B, V)
  scores.masked_fill_(drop, -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> TypicalPProcessor::make(const ProcessorContext& context) {
  double p = context.config.processor<TypicalPOptions>().p;
  return p >= 1.0 ? nullptr
                  : std::make_unique<TypicalPProcessor>(p, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
