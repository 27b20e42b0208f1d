#include "generate/processors/presence_penalty.h"

#include "generate/generate_config.h"
#include "generate/processors/generated_counts.h"

namespace gpt2 {

PresencePenaltyProcessor::PresencePenaltyProcessor(double penalty) : penalty_(penalty) {}

void PresencePenaltyProcessor::apply(at::Tensor& scores,
                                     const std::vector<TokenHistory>& rows) const {
  subtract_by_generated_count(scores, rows, [this](int64_t) { return penalty_; });
}

std::unique_ptr<LogitsProcessor> PresencePenaltyProcessor::make(const ProcessorContext& context) {
  double p = context.config.processor<PresencePenaltyOptions>().penalty;
  return p == 0.0 ? nullptr : std::make_unique<PresencePenaltyProcessor>(p);
}

}  // namespace gpt2
