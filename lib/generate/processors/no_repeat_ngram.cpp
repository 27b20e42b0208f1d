#include "generate/processors/no_repeat_ngram.h"

#include <algorithm>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

NoRepeatNgramProcessor::NoRepeatNgramProcessor(int64_t n) : n_(n) {
  require(n > 0, "no_repeat_ngram_size must be > 0, got " + std::to_string(n));
}

void NoRepeatNgramProcessor::apply(at::Tensor& scores,
                                   const std::vector<TokenHistory>& rows) const {
  const auto n = static_cast<size_t>(n_);
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto& t = rows[b].tokens;
    if (t.size() + 1 < n) continue;
    // The next token would complete the n-gram (last n-1 tokens, next); find earlier starts.
    const size_t prefix_start = t.size() + 1 - n;
    std::vector<int64_t> banned;
    for (size_t i = 0; i + n <= t.size(); ++i)
      if (std::equal(t.begin() + i, t.begin() + i + n - 1, t.begin() + prefix_start))
        banned.push_back(t[i + n - 1]);
    ban_tokens(scores, static_cast<int64_t>(b), banned);
  }
}

std::unique_ptr<LogitsProcessor> NoRepeatNgramProcessor::make(const ProcessorContext& context) {
  int64_t n = context.config.processor<NoRepeatNgramOptions>().size;
  return n <= 0 ? nullptr : std::make_unique<NoRepeatNgramProcessor>(n);
}

}  // namespace gpt2
