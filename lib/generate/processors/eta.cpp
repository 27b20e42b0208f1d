#include "generate/processors/eta.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

EtaProcessor::EtaProcessor(double eta) : eta_(eta) {
  require(eta > 0 && eta < 1, "eta must be in (0, 1), got " + std::to_string(eta));
}

void EtaProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  auto logp = scores.log_softmax(-1);                                           // (B, V)
  auto probs = logp.exp();                                                      // (B, V)
  auto entropy = -(logp * probs).nansum(-1, /*keepdim=*/true);                  // (B, 1)
  auto cutoff = at::clamp_max(entropy.neg().exp().mul(std::sqrt(eta_)), eta_);  // (B, 1)
  remove_keeping_top(scores, probs < cutoff);
}

std::unique_ptr<LogitsProcessor> EtaProcessor::make(const ProcessorContext& context) {
  double e = context.config.eta;
  return e <= 0 ? nullptr : std::make_unique<EtaProcessor>(e);
}

}  // namespace gpt2
