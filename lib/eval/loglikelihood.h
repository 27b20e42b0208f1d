#pragma once
// lm-evaluation-harness's two request kinds on the one scorer (eval/scorer.h):
// loglikelihood(context, continuation) and loglikelihood_rolling(text). Requests are scored
// longest first in padded batches and returned in the caller's order; continuations of one
// context can share a single pass over that context (its KV cache).
#include <cstdint>
#include <string>
#include <vector>

namespace gpt2 {

class GPT2LMHeadModelImpl;  // model/gpt2_model.h (its torch::nn headers are slow to compile)
class Tokenizer;

struct LoglikelihoodRequest {
  std::string context, continuation;
};

struct Loglikelihood {
  double logprob = 0;  // sum of log p(token) over the continuation's scored tokens, nats
  bool greedy = true;  // greedy decoding from the context yields exactly these tokens
  int64_t tokens = 0;  // continuation tokens scored
};

struct LoglikelihoodOptions {
  // Rows per forward pass; shared contexts: contexts per pass, then their continuations in
  // rows of up to 4 x batch_size (they are short).
  int64_t batch_size = 4;
  bool share_prefix = true;    // choices with the same context: one pass over it, then its cache
  int64_t window = 0;          // tokens fed per row (the harness's max_length); 0 = n_positions
  std::string progress_label;  // shows a progress line over the requests; "" = silent
};

// A request as tokens.
struct TokenPair {
  std::vector<int64_t> context, continuation;
};

// The harness's _encode_pair: trailing whitespace of the context moves to the continuation;
// context + continuation is encoded whole and the continuation is the whole's tokens after
// those of the context alone; an empty (or all-whitespace) context is end-of-text.
TokenPair encode_pair(const Tokenizer& tokenizer, const std::string& context,
                      const std::string& continuation);

// Scores token pairs as the harness does: a row is (context + continuation)[-(window + 1):],
// fed all but its last token, so a pair longer than window + 1 tokens loses context from the
// left (at most `window` tokens of the continuation are scored, its last ones).
std::vector<Loglikelihood> loglikelihood_tokens(GPT2LMHeadModelImpl& model,
                                                const std::vector<TokenPair>& pairs,
                                                const LoglikelihoodOptions& options);

std::vector<Loglikelihood> loglikelihood(GPT2LMHeadModelImpl& model, const Tokenizer& tokenizer,
                                         const std::vector<LoglikelihoodRequest>& requests,
                                         const LoglikelihoodOptions& options);

// The harness's get_rolling_token_windows(tokens, prefix, max_seq_len = window, context_len = 1)
// followed by make_disjoint_window: each token scored once, the first given `prefix` alone. A
// pair holds at most window + 1 tokens: `window` fed, predicting up to `window` targets.
std::vector<TokenPair> rolling_windows(const std::vector<int64_t>& tokens, int64_t prefix,
                                       int64_t window);

// Log-likelihood of whole documents, conditioned on end-of-text at the start.
std::vector<Loglikelihood> loglikelihood_rolling(GPT2LMHeadModelImpl& model,
                                                 const Tokenizer& tokenizer,
                                                 const std::vector<std::string>& texts,
                                                 const LoglikelihoodOptions& options);

}  // namespace gpt2
