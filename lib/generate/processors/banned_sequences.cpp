#include "generate/processors/banned_sequences.h"

#include <algorithm>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

BannedSequencesProcessor::BannedSequencesProcessor(std::vector<std::vector<int64_t>> sequences)
    : sequences_(std::move(sequences)) {
  for (const auto& s : sequences_) require(!s.empty(), "a banned token sequence is empty");
}

void BannedSequencesProcessor::apply(at::Tensor& scores,
                                     const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto& t = rows[b].tokens;
    std::vector<int64_t> banned;
    for (const auto& s : sequences_) {
      size_t before = s.size() - 1;  // tokens that must already be there
      if (before > t.size()) continue;
      if (std::equal(s.begin(), s.end() - 1, t.end() - before)) banned.push_back(s.back());
    }
    ban_tokens(scores, static_cast<int64_t>(b), banned);
  }
}

std::unique_ptr<LogitsProcessor> BannedSequencesProcessor::make(const ProcessorContext& context) {
  if (context.banned.empty()) return nullptr;
  for (const auto& s : context.banned)
    for (auto id : s)
      require(id >= 0 && id < context.vocab_size, "banned token id " + std::to_string(id) +
                                                      " is outside the vocabulary (size " +
                                                      std::to_string(context.vocab_size) + ")");
  return std::make_unique<BannedSequencesProcessor>(context.banned);
}

}  // namespace gpt2
