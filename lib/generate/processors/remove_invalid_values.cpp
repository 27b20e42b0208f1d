#include "generate/processors/remove_invalid_values.h"

#include <ATen/ATen.h>

#include <limits>

#include "generate/generate_config.h"

namespace gpt2 {

void RemoveInvalidValuesProcessor::apply(at::Tensor& scores,
                                         const std::vector<TokenHistory>&) const {
  const double top = std::numeric_limits<float>::max();
  scores.nan_to_num_(0.0, top, -top);  // (B, V)
}

std::unique_ptr<LogitsProcessor> RemoveInvalidValuesProcessor::make(
    const ProcessorContext& context) {
  if (!context.config.processor<RemoveInvalidValuesOptions>().enabled) return nullptr;
  return std::make_unique<RemoveInvalidValuesProcessor>();
}

}  // namespace gpt2
