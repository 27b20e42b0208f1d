#include "generate/processors/top_h.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

TopHProcessor::TopHProcessor(double top_h) : top_h_(top_h) {
  require(top_h > 0 && top_h <= 1, "top_h must be in (0, 1], got " + std::to_string(top_h));
}

void TopHProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  const int64_t n = std::min(kTopN, scores.size(-1));
  auto top = at::topk(scores, n, -1, /*largest=*/true, /*sorted=*/true);
  const auto& top_logits = std::get<0>(top);  // (B, n)
  const auto& top_index = std::get<1>(top);   // (B, n)
  auto probs = top_logits.softmax(-1);        // (B, n)
  auto logp = probs.log();                    // (B, n)
  // The entropy of the top-n distribution as torch.distributions.Categorical computes it:
  // normalised logits clamped to the lowest float, so p = 0 terms add 0.
  const double lowest = std::numeric_limits<float>::lowest();
  auto normalised = top_logits - top_logits.logsumexp(-1, /*keepdim=*/true);         // (B, n)
  auto entropy = -(normalised.clamp_min(lowest) * probs).sum(-1, /*keepdim=*/true);  // (B, 1)
  auto tau = entropy * top_h_;                                                       // (B, 1)
  auto cumulative = (-probs * logp).cumsum(-1);                                      // (B, n)
  auto selected = cumulative <= tau;                                                 // (B, n)
  selected.narrow(-1, 0, 1).fill_(true);  // the most likely always stays
  auto keep = at::zeros_like(scores, at::kBool).scatter_(-1, top_index, selected);  // (B, V)
  scores.masked_fill_(keep.logical_not(), -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> TopHProcessor::make(const ProcessorContext& context) {
  double h = context.config.processor<TopHOptions>().h;
  return h <= 0 ? nullptr : std::make_unique<TopHProcessor>(h);
}

}  // namespace gpt2
