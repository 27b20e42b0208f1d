#pragma once
// The one scorer: log-likelihoods of target tokens under a model. Perplexity windows, the
// sampling comparison's continuations and the trainer's validation loss all score through it,
// so every number they report is computed one way.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace gpt2 {

class GPT2LMHeadModelImpl;  // model/gpt2_model.h (its torch::nn headers are slow to compile)

// The score of one row's targets.
struct RowScore {
  double nll = 0;      // sum of -log p(target) over the scored targets, nats
  int64_t tokens = 0;  // targets scored
  bool greedy = true;  // every scored target was its position's argmax (ties: the lowest id)
};

// Scores a batch: targets (B, T) hold the next token of each input position, or kIgnoreIndex
// (core/tokens.h) where the position does not count. The caller sets no-grad, the model's mode
// and any autocast; the sums are taken in float64.
std::vector<RowScore> score_batch(GPT2LMHeadModelImpl& model, const at::Tensor& inputs,
                                  const at::Tensor& targets);

// The same scores from logits already computed (B, T, V) and their targets (B, T): what
// score_batch does after its forward pass, for callers that run the model themselves (a
// context's KV cache shared by its continuations).
std::vector<RowScore> score_logits(const at::Tensor& logits, const at::Tensor& targets);

// One row to score: its last `scored` tokens, each given every token before it in the row. The
// model is fed all its tokens but the last (which predicts nothing scored), so a row holds up
// to n_positions + 1 tokens.
struct ScoreRequest {
  std::vector<int64_t> tokens;
  int64_t scored = 0;  // 0 <= scored < tokens.size()
};

// A continuation given its context, cut from the left: at most `tokens` tokens, at most
// tokens - 1 of them scored. lm-evaluation-harness keeps max_length + 1 tokens (feeding
// max_length): pass n_positions + 1 for its cut.
ScoreRequest continuation_request(const std::vector<int64_t>& context,
                                  const std::vector<int64_t>& continuation, int64_t tokens);

// Scores requests in batches of up to `batch_size` rows (in eval mode, no grad), right-padded:
// pads come after every real token, so causal attention never sees them. `on_batch(done)` is
// called after each batch with the number of requests scored so far.
std::vector<RowScore> score_requests(GPT2LMHeadModelImpl& model,
                                     const std::vector<ScoreRequest>& requests, int64_t batch_size,
                                     const std::function<void(size_t done)>& on_batch = {});

}  // namespace gpt2
