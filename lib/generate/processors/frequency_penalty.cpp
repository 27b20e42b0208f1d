#include "generate/processors/frequency_penalty.h"

#include "generate/generate_config.h"
#include "generate/processors/generated_counts.h"

namespace gpt2 {

FrequencyPenaltyProcessor::FrequencyPenaltyProcessor(double penalty) : penalty_(penalty) {}

void FrequencyPenaltyProcessor::apply(at::Tensor& scores,
                                      const std::vector<TokenHistory>& rows) const {
  subtract_by_generated_count(
      scores, rows, [this](int64_t count) { return penalty_ * static_cast<double>(count); });
}

std::unique_ptr<LogitsProcessor> FrequencyPenaltyProcessor::make(const ProcessorContext& context) {
  double p = context.config.processor<FrequencyPenaltyOptions>().penalty;
  return p == 0.0 ? nullptr : std::make_unique<FrequencyPenaltyProcessor>(p);
}

}  // namespace gpt2
