#include "generate/processors/presence_penalty.h"

#include <ATen/ATen.h>

#include <map>

#include "generate/generate_config.h"

namespace gpt2 {

PresencePenaltyProcessor::PresencePenaltyProcessor(double penalty) : penalty_(penalty) {}

void PresencePenaltyProcessor::apply(at::Tensor& scores,
                                     const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    std::map<int64_t, int64_t> counts;
    const auto& tokens = rows[b].tokens;
    for (size_t i = static_cast<size_t>(rows[b].prompt_length); i < tokens.size(); ++i)
      ++counts[tokens[i]];
    if (counts.empty()) continue;
    std::vector<int64_t> ids;
    std::vector<double> amounts;
    for (const auto& [token, count] : counts) {
      ids.push_back(token);
      amounts.push_back(-penalty_);
    }
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    row.index_add_(0, at::tensor(ids, at::kLong).to(scores.device()),
                   at::tensor(amounts, at::kDouble).to(scores.options()));
  }
}

std::unique_ptr<LogitsProcessor> PresencePenaltyProcessor::make(const ProcessorContext& context) {
  double p = context.config.presence_penalty;
  return p == 0.0 ? nullptr : std::make_unique<PresencePenaltyProcessor>(p);
}

}  // namespace gpt2
