#pragma once
// Perplexity the way papers compute it (Hugging Face's sliding-window recipe): windows of
// `context` tokens advancing by `stride`; each token is scored once, in the window that
// first reaches it, with as much left context as that window gives.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_config.h"

namespace gpt2 {

class GPT2LMHeadModelImpl;  // model/gpt2_model.h (its torch::nn headers are slow to compile)

struct PerplexityResult {
  double nll_sum = 0;  // total negative log-likelihood, nats
  int64_t tokens = 0;  // tokens scored
  int64_t bytes = 0;   // UTF-8 bytes of the text (0 when unknown, e.g. shards)
  int64_t words = 0;   // whitespace-separated words (0 when unknown)
  double mean_nll() const { return tokens ? nll_sum / tokens : 0; }
  double perplexity() const;       // exp(mean NLL per token)
  double bits_per_byte() const;    // NLL / ln 2 / bytes; NaN when bytes unknown
  double word_perplexity() const;  // exp(NLL / words); NaN when words unknown
};

// One window: tokens [begin, end) of the sequence, of which the last `scored` are scored.
struct Window {
  int64_t begin, end, scored;
};

// The stride actually used: 0 means half the window (HF's recipe: 1024 and 512); a stride of
// `context` means context - 1, so consecutive windows overlap by at least one token and each
// window's first scored token has context in it (else it would go unscored). A stride beyond
// the window is refused: it names a setting that cannot be honoured.
int64_t effective_stride(int64_t context, int64_t stride);

// The windows of a sequence of `length` tokens. The first token of the sequence has no
// context and is never scored (prepend end-of-text to score it).
std::vector<Window> sliding_windows(int64_t length, int64_t context, int64_t stride);

// Scores `ids` with `model` (in eval mode, no grad). Shows progress when `progress_label`
// is not empty.
PerplexityResult evaluate_perplexity(GPT2LMHeadModelImpl& model, const std::vector<int64_t>& ids,
                                     const EvalConfig& config,
                                     const std::string& progress_label = "");

// Whitespace-separated words of `text`, for word-level perplexity.
int64_t count_words(const std::string& text);

// "ppl|ctx:1024|stride:512|tok:gpt2-bpe|eos:no|version:..." — fixes the settings of a number.
std::string perplexity_signature(int64_t context, const EvalConfig& config,
                                 const std::string& tokenizer_kind);

}  // namespace gpt2
