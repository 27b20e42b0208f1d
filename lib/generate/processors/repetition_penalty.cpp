#include "generate/processors/repetition_penalty.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

RepetitionPenaltyProcessor::RepetitionPenaltyProcessor(double penalty) : penalty_(penalty) {
  require(penalty > 0, "repetition_penalty must be > 0, got " + std::to_string(penalty));
}

void RepetitionPenaltyProcessor::apply(at::Tensor& scores,
                                       const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    std::vector<int64_t> seen = rows[b].tokens;
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());  // penalise each token once
    if (seen.empty()) continue;
    auto index = at::tensor(seen, at::kLong).to(scores.device());  // (n)
    auto row = scores.select(0, static_cast<int64_t>(b));          // (V)
    auto values = row.index_select(0, index);                      // (n)
    row.index_copy_(0, index, at::where(values < 0, values * penalty_, values / penalty_));
  }
}

std::unique_ptr<LogitsProcessor> RepetitionPenaltyProcessor::make(const ProcessorContext& context) {
  double p = context.config.repetition_penalty;
  return p == 1.0 ? nullptr : std::make_unique<RepetitionPenaltyProcessor>(p);
}

}  // namespace gpt2
