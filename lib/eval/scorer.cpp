#include "eval/scorer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/tokens.h"
#include "model/gpt2_model.h"

namespace gpt2 {

std::vector<RowScore> score_batch(GPT2LMHeadModelImpl& model, const at::Tensor& inputs,
                                  const at::Tensor& targets) {
  const auto device = model.transformer->wte->weight.device();
  return score_logits(model.forward(inputs.to(device)).logits, targets);
}

std::vector<RowScore> score_logits(const at::Tensor& model_logits, const at::Tensor& targets) {
  const auto device = model_logits.device();
  auto logits = model_logits.to(at::kFloat);  // (B, T, V)
  const int64_t B = logits.size(0), T = logits.size(1), V = logits.size(2);
  auto flat_targets = targets.to(device).reshape({-1});  // (B*T)
  // The trainer's loss, per token: cross-entropy is -log_softmax at the target.
  auto nll = at::cross_entropy_loss(logits.reshape({-1, V}), flat_targets, {}, at::Reduction::None,
                                    kIgnoreIndex)
                 .view({B, T});                              // (B, T), 0 where ignored
  auto scored = flat_targets.ne(kIgnoreIndex).view({B, T});  // (B, T)
  auto missed = logits.argmax(-1).ne(targets.to(device)).logical_and(scored);  // (B, T)
  auto sums = nll.to(at::kDouble).sum(1).cpu();                                // (B)
  auto counts = scored.sum(1).cpu();                                           // (B)
  auto misses = missed.sum(1).cpu();                                           // (B)
  std::vector<RowScore> out(B);
  for (int64_t b = 0; b < B; ++b) {
    out[b].nll = sums[b].item<double>();
    out[b].tokens = counts[b].item<int64_t>();
    out[b].greedy = misses[b].item<int64_t>() == 0;
  }
  return out;
}

ScoreRequest continuation_request(const std::vector<int64_t>& context,
                                  const std::vector<int64_t>& continuation, int64_t tokens) {
  require(tokens > 1, "scoring needs a window of at least 2 tokens");
  ScoreRequest request;
  request.tokens = context;
  request.tokens.insert(request.tokens.end(), continuation.begin(), continuation.end());
  if (int64_t(request.tokens.size()) > tokens)
    request.tokens.erase(request.tokens.begin(), request.tokens.end() - tokens);
  request.scored =
      std::min<int64_t>(int64_t(continuation.size()), int64_t(request.tokens.size()) - 1);
  return request;
}

std::vector<RowScore> score_requests(GPT2LMHeadModelImpl& model,
                                     const std::vector<ScoreRequest>& requests, int64_t batch_size,
                                     const std::function<void(size_t done)>& on_batch) {
  require(batch_size > 0, "scoring needs a batch size > 0");
  const int64_t window = model.config().n_positions;
  for (const ScoreRequest& r : requests)
    require(r.scored >= 0 && r.scored < int64_t(r.tokens.size()) &&
                int64_t(r.tokens.size()) <= window + 1,
            "a scoring request of " + std::to_string(r.tokens.size()) + " tokens (" +
                std::to_string(r.scored) + " scored) does not fit the model's window of " +
                std::to_string(window) + " (a row feeds all its tokens but the last)");
  at::NoGradGuard no_grad;
  model.eval();
  std::vector<RowScore> scores;
  scores.reserve(requests.size());
  for (size_t first = 0; first < requests.size(); first += size_t(batch_size)) {
    const size_t last = std::min(requests.size(), first + size_t(batch_size));
    const int64_t B = int64_t(last - first);
    // The last token of a row predicts nothing that is scored: it is not fed.
    int64_t T = 1;
    for (size_t i = first; i < last; ++i)
      T = std::max<int64_t>(T, int64_t(requests[i].tokens.size()) - 1);
    auto inputs = at::zeros({B, T}, at::kLong);                // (B, T)
    auto targets = at::full({B, T}, kIgnoreIndex, at::kLong);  // (B, T)
    auto in = inputs.accessor<int64_t, 2>();
    auto tg = targets.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const ScoreRequest& r = requests[first + b];
      const int64_t L = int64_t(r.tokens.size());
      for (int64_t t = 0; t + 1 < L; ++t) in[b][t] = r.tokens[t];
      for (int64_t t = L - r.scored; t < L; ++t) tg[b][t - 1] = r.tokens[t];
    }
    for (const RowScore& s : score_batch(model, inputs, targets)) scores.push_back(s);
    if (on_batch) on_batch(last);
  }
  return scores;
}

}  // namespace gpt2
