#include "generate/processors/repetition_penalty.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

RepetitionPenaltyProcessor::RepetitionPenaltyProcessor(double penalty, int64_t prompt_ignore_length,
                                                       bool normalize)
    : penalty_(penalty), prompt_ignore_length_(prompt_ignore_length), normalize_(normalize) {
  require(penalty > 0, "repetition_penalty must be > 0, got " + std::to_string(penalty));
  require(prompt_ignore_length >= 0, "repetition_penalty_prompt_ignore_length must be >= 0, got " +
                                         std::to_string(prompt_ignore_length));
}

void RepetitionPenaltyProcessor::apply(at::Tensor& scores,
                                       const std::vector<TokenHistory>& rows) const {
  if (normalize_) scores.copy_(scores.log_softmax(-1));  // (B, V)
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto& tokens = rows[b].tokens;
    const auto skip = std::min(tokens.size(), static_cast<size_t>(prompt_ignore_length_));
    std::vector<int64_t> seen(tokens.begin() + static_cast<std::ptrdiff_t>(skip), tokens.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());  // penalise each token once
    if (seen.empty()) continue;
    auto index = at::tensor(seen, at::kLong).to(scores.device());  // (n)
    auto row = scores.select(0, static_cast<int64_t>(b));          // (V)
    auto values = row.index_select(0, index);                      // (n)
    // Log-probabilities are never positive: multiplying moves them down.
    auto penalised = normalize_ ? values * penalty_
                                : at::where(values < 0, values * penalty_, values / penalty_);
    row.index_copy_(0, index, penalised);
  }
}

std::unique_ptr<LogitsProcessor> RepetitionPenaltyProcessor::make(const ProcessorContext& context) {
  const auto& o = context.config.processor<RepetitionPenaltyOptions>();
  if (o.penalty == 1.0) return nullptr;
  return std::make_unique<RepetitionPenaltyProcessor>(o.penalty, o.prompt_ignore_length,
                                                      o.normalize);
}

void RepetitionPenaltyOptions::validate(const GenerateConfig&) const {
  if (penalty == 1.0 && (normalize || prompt_ignore_length > 0))
    throw Error(
        "config: generate.repetition_penalty_normalize and "
        "repetition_penalty_prompt_ignore_length only apply with repetition_penalty != 1");
}

}  // namespace gpt2
