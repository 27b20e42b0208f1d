#include "generate/processors/suppress_tokens.h"

#include "generate/generate_config.h"

namespace gpt2 {

SuppressTokensProcessor::SuppressTokensProcessor(std::vector<int64_t> ids) : ids_(std::move(ids)) {}

void SuppressTokensProcessor::apply(at::Tensor& scores,
                                    const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) ban_tokens(scores, static_cast<int64_t>(b), ids_);
}

std::unique_ptr<LogitsProcessor> SuppressTokensProcessor::make(const ProcessorContext& context) {
  const auto& ids = context.config.processor<SuppressTokensOptions>().ids;
  if (ids.empty()) return nullptr;
  return std::make_unique<SuppressTokensProcessor>(
      checked_token_ids(ids, context.vocab_size, "suppress_tokens"));
}

}  // namespace gpt2
