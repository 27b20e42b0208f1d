#pragma once
// Prompt-lookup drafting (Hugging Face's prompt_lookup_num_tokens / max_matching_ngram_size):
// the draft is what followed an earlier occurrence of the sequence's last n tokens. No draft
// model: it pays off when the output copies from the prompt (summaries, code edits, quotes).
#include <cstdint>
#include <vector>

namespace gpt2 {

// For n = min(max_ngram, size - 1) down to 1: the first (earliest) earlier occurrence of the
// last n tokens that has a continuation gives up to num_tokens tokens of it. Empty when no
// n-gram matches.
std::vector<int64_t> prompt_lookup_draft(const std::vector<int64_t>& tokens, int64_t max_ngram,
                                         int64_t num_tokens);

}  // namespace gpt2
