#include "generate/processors/forced_eos.h"

#include <ATen/ATen.h>

#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

ForcedEosProcessor::ForcedEosProcessor(int64_t id, int64_t max_new_tokens)
    : id_(id), max_new_tokens_(max_new_tokens) {
  require(id >= 0, "forced_eos_token_id must be >= 0, got " + std::to_string(id));
}

void ForcedEosProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    if (rows[b].generated() != max_new_tokens_ - 1) continue;
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    row.fill_(-std::numeric_limits<float>::infinity());
    row[id_] = 0;
  }
}

std::unique_ptr<LogitsProcessor> ForcedEosProcessor::make(const ProcessorContext& context) {
  const int64_t id = context.config.processor<ForcedEosOptions>().token_id;
  if (id < 0) return nullptr;
  checked_token_ids({id}, context.vocab_size, "forced_eos_token_id");
  return std::make_unique<ForcedEosProcessor>(id, context.config.max_new_tokens);
}

}  // namespace gpt2
