#include "generate/processors/begin_suppress_tokens.h"

#include "generate/generate_config.h"

namespace gpt2 {

BeginSuppressTokensProcessor::BeginSuppressTokensProcessor(std::vector<int64_t> ids)
    : ids_(std::move(ids)) {}

void BeginSuppressTokensProcessor::apply(at::Tensor& scores,
                                         const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b)
    if (rows[b].generated() == 0) ban_tokens(scores, static_cast<int64_t>(b), ids_);
}

std::unique_ptr<LogitsProcessor> BeginSuppressTokensProcessor::make(
    const ProcessorContext& context) {
  const auto& ids = context.config.processor<BeginSuppressTokensOptions>().ids;
  if (ids.empty()) return nullptr;
  return std::make_unique<BeginSuppressTokensProcessor>(
      checked_token_ids(ids, context.vocab_size, "begin_suppress_tokens"));
}

}  // namespace gpt2
