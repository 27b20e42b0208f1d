#include "generate/processors/min_new_tokens.h"

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

MinNewTokensProcessor::MinNewTokensProcessor(int64_t min_new_tokens, std::vector<int64_t> stop_ids)
    : min_new_tokens_(min_new_tokens), stop_ids_(std::move(stop_ids)) {}

void MinNewTokensProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b)
    if (rows[b].generated() < min_new_tokens_)
      ban_tokens(scores, static_cast<int64_t>(b), stop_ids_);
}

std::unique_ptr<LogitsProcessor> MinNewTokensProcessor::make(const ProcessorContext& context) {
  int64_t n = context.config.processor<MinNewTokensOptions>().count;
  if (n <= 0 || context.stop_ids.empty()) return nullptr;
  return std::make_unique<MinNewTokensProcessor>(n, context.stop_ids);
}

void MinNewTokensOptions::validate(const GenerateConfig& config) const {
  if (count > config.max_new_tokens)
    throw Error("config: generate.min_new_tokens (" + std::to_string(count) +
                ") must be <= max_new_tokens (" + std::to_string(config.max_new_tokens) + ")");
}

}  // namespace gpt2
