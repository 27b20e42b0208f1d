#include "generate/processors/epsilon.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

EpsilonProcessor::EpsilonProcessor(double epsilon, int64_t min_tokens_to_keep)
    : epsilon_(epsilon), min_keep_(min_tokens_to_keep) {
  require(epsilon > 0 && epsilon < 1, "epsilon must be in (0, 1), got " + std::to_string(epsilon));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void EpsilonProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  remove_keeping_top(scores, scores.softmax(-1) < epsilon_, min_keep_);  // (B, V)
}

std::unique_ptr<LogitsProcessor> EpsilonProcessor::make(const ProcessorContext& context) {
  double e = context.config.processor<EpsilonOptions>().epsilon;
  return e <= 0 ? nullptr
                : std::make_unique<EpsilonProcessor>(e, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
