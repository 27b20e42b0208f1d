#include "generate/prompt_lookup.h"

#include <algorithm>

namespace gpt2 {

std::vector<int64_t> prompt_lookup_draft(const std::vector<int64_t>& tokens, int64_t max_ngram,
                                         int64_t num_tokens) {
  const auto size = static_cast<int64_t>(tokens.size());
  for (int64_t n = std::min(max_ngram, size - 1); n >= 1; --n) {
    const auto ngram = tokens.end() - n;
    // Occurrences starting at i < size - n; the last n tokens themselves have no continuation.
    for (int64_t i = 0; i + n < size; ++i) {
      if (!std::equal(ngram, tokens.end(), tokens.begin() + i)) continue;
      const int64_t begin = i + n, end = std::min(begin + num_tokens, size);
      return {tokens.begin() + begin, tokens.begin() + end};
    }
  }
  return {};
}

}  // namespace gpt2
