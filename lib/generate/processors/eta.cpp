#include "generate/processors/eta.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

EtaProcessor::EtaProcessor(double eta, int64_t min_tokens_to_keep)
    : eta_(eta), min_keep_(min_tokens_to_keep) {
  require(eta > 0 && eta < 1, "eta must be in (0, 1), got " + std::to_string(eta));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void EtaProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  auto logp = scores.log_softmax(-1);                           // (B, V)
  auto probs = scores.softmax(-1);                              // (B, V)
  auto entropy = -(logp * probs).nansum(-1, /*keepdim=*/true);  // (B, 1)
  // eta and its square root in float32, as Hugging Face holds eta in a float tensor.
  auto eta = at::scalar_tensor(eta_, scores.options());              // ()
  auto cutoff = at::minimum(eta, eta.sqrt() * entropy.neg().exp());  // (B, 1)
  remove_keeping_top(scores, probs < cutoff, min_keep_);
}

std::unique_ptr<LogitsProcessor> EtaProcessor::make(const ProcessorContext& context) {
  double e = context.config.processor<EtaOptions>().eta;
  return e <= 0 ? nullptr : std::make_unique<EtaProcessor>(e, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
