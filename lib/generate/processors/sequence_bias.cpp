#include "generate/processors/sequence_bias.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

SequenceBiasProcessor::SequenceBiasProcessor(std::vector<Entry> entries)
    : entries_(std::move(entries)) {
  for (const auto& e : entries_) require(!e.ids.empty(), "a sequence_bias entry has no ids");
  std::stable_partition(entries_.begin(), entries_.end(),
                        [](const Entry& e) { return e.ids.size() == 1; });
}

void SequenceBiasProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    // Summed in float32 in entry order, as Hugging Face's bias tensor.
    std::map<int64_t, float> bias;
    for (const auto& e : entries_)
      if (completes_sequence(rows[b].tokens, e.ids)) bias[e.ids.back()] += e.bias;
    if (bias.empty()) continue;
    std::vector<int64_t> ids;
    std::vector<float> amounts;
    for (const auto& [id, amount] : bias) {
      ids.push_back(id);
      amounts.push_back(amount);
    }
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    row.index_add_(0, at::tensor(ids, at::kLong).to(scores.device()),
                   at::tensor(amounts, at::kFloat).to(scores.options()));
  }
}

std::unique_ptr<LogitsProcessor> SequenceBiasProcessor::make(const ProcessorContext& context) {
  std::vector<Entry> entries;
  for (const auto& s : context.config.sequence_biases()) {
    for (auto id : s.ids)
      require(id < context.vocab_size, "generate.sequence_bias: token id " + std::to_string(id) +
                                           " is outside the vocabulary (size " +
                                           std::to_string(context.vocab_size) + ")");
    entries.push_back({s.ids, static_cast<float>(s.bias)});
  }
  if (entries.empty()) return nullptr;
  return std::make_unique<SequenceBiasProcessor>(std::move(entries));
}

}  // namespace gpt2
