#include "generate/processors/renormalize.h"

#include <ATen/ATen.h>

#include "generate/generate_config.h"

namespace gpt2 {

void RenormalizeProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  scores.copy_(scores.log_softmax(-1));  // (B, V)
}

std::unique_ptr<LogitsProcessor> RenormalizeProcessor::make(const ProcessorContext& context) {
  if (!context.config.processor<RenormalizeOptions>().enabled) return nullptr;
  return std::make_unique<RenormalizeProcessor>();
}

}  // namespace gpt2
