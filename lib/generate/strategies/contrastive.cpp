#include "generate/strategies/contrastive.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "generate/processors/top_k.h"
#include "generate/ragged_batch.h"
#include "generate/step_trace.h"
#include "generate/top_logprobs.h"
#include "kernels/row_functions.h"

namespace gpt2 {

namespace {

at::Tensor unit_rows(const at::Tensor& x) {
  return x / x.norm(2, {-1}, /*keepdim=*/true);  // (..., C), as Hugging Face: no epsilon
}

}  // namespace

std::vector<std::vector<GenerationResult>> ContrastiveSearch::run(
    const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
    const SearchContext& context) {
  const GenerateConfig& config = context.config;
  const double alpha = config.penalty_alpha;
  const int64_t K = std::min(config.processor<TopKOptions>().k, context.model.vocab_size());
  std::vector<TokenHistory> history;
  std::vector<size_t> origin;  // current row -> prompt
  size_t longest = 0;
  for (size_t p = 0; p < prompts.size(); ++p) {
    history.push_back({prompts[p], static_cast<int64_t>(prompts[p].size())});
    origin.push_back(p);
    longest = std::max(longest, prompts[p].size());
  }
  std::vector<GenerationResult> results(prompts.size());
  const int64_t capacity = static_cast<int64_t>(longest) + config.max_new_tokens + 1;

  std::unique_ptr<RaggedBatch> batch;
  at::Tensor hidden;  // (B, S, C): every token the model has seen
  auto start = [&] {
    std::vector<std::vector<int64_t>> rows;
    for (const auto& h : history) rows.push_back(h.tokens);
    batch = std::make_unique<RaggedBatch>(context.model, rows, capacity);
    auto out = batch->prefill_all(/*hidden=*/true);
    hidden = out.hidden;
    return out.logits.select(1, out.logits.size(1) - 1).contiguous();  // (B, V)
  };
  at::Tensor logits = start();

  while (true) {
    const int64_t B = batch->rows();
    const at::Tensor raw = context.trace ? logits.clone() : at::Tensor();  // (B, V)
    context.processors.apply(logits, history);
    std::optional<StepTrace> trace;
    if (context.trace) trace.emplace(raw, logits);
    std::vector<TopLogprobs> best_scores;
    if (config.output_scores_top_k > 0)
      best_scores = top_logprobs_rows(logits.log_softmax(-1), config.output_scores_top_k);
    auto lse = log_sum_exp_rows(logits);                            // (B)
    auto top = logits.softmax(-1).topk(K, -1);                      // (B, K) each
    auto top_probs = std::get<0>(top), top_ids = std::get<1>(top);  // (B, K)
    if (batch->room() < 1) {
      start();  // packs the rows again; the logits just processed stay valid
    }
    auto context_mask = batch->mask();  // (B, S)

    // Every row's k candidates, one step each.
    std::vector<int64_t> expand;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < K; ++j) expand.push_back(b);
    batch->select_rows(expand);
    auto out = batch->append_all(top_ids.reshape({B * K, 1}).to(at::kCPU),
                                 at::ones({B * K, 1}, at::kLong), /*hidden=*/true);
    const int64_t C = out.hidden.size(-1);
    auto candidates = unit_rows(out.hidden.reshape({B, K, C}));            // (B, K, C)
    auto cosine = at::bmm(unit_rows(hidden), candidates.transpose(1, 2));  // (B, S, K)
    cosine = cosine.masked_fill(context_mask.eq(0).unsqueeze(-1).to(cosine.device()),
                                -std::numeric_limits<float>::infinity());
    auto degeneration = std::get<0>(cosine.max(1));                                    // (B, K)
    auto score = (1 - alpha) * top_probs.to(at::kFloat) - alpha * degeneration;        // (B, K)
    auto best = argmax_rows(score.contiguous()).to(at::kCPU, at::kLong).contiguous();  // (B)

    std::vector<int64_t> chosen;  // rows of the expanded batch
    for (int64_t b = 0; b < B; ++b) chosen.push_back(b * K + best.data_ptr<int64_t>()[b]);
    auto chosen_t = at::tensor(chosen, at::kLong);
    batch->select_rows(chosen);
    auto tokens = top_ids.reshape({-1}).index_select(0, chosen_t.to(top_ids.device())).to(at::kCPU);
    auto chosen_logits = logits.gather(-1, tokens.to(logits.device()).unsqueeze(-1)).squeeze(-1);
    auto logprobs = (chosen_logits - lse).to(at::kCPU);  // (B)
    auto transition = chosen_logits.to(at::kCPU);        // (B): the processed logit
    // The step as the trace shows it: (B, K) each.
    at::Tensor trace_ids, trace_probs, trace_penalty;
    if (trace) {
      trace_ids = top_ids.to(at::kCPU, at::kLong).contiguous();
      trace_probs = top_probs.to(at::kCPU, at::kDouble).contiguous();
      trace_penalty = degeneration.to(at::kCPU, at::kDouble).contiguous();
    }
    hidden = at::cat({hidden, out.hidden.index_select(0, chosen_t.to(out.hidden.device()))}, 1);
    logits = out.logits.select(1, 0).index_select(0, chosen_t.to(out.logits.device())).contiguous();

    std::vector<int64_t> keep;
    for (int64_t b = 0; b < B; ++b) {
      const auto bi = static_cast<size_t>(b);
      const int64_t token = tokens.data_ptr<int64_t>()[b];
      const float logprob = logprobs.data_ptr<float>()[b];
      auto& result = results[origin[bi]];
      history[bi].tokens.push_back(token);
      result.tokens.push_back(token);
      result.logprobs.push_back(logprob);
      result.transition_scores.push_back(transition.data_ptr<float>()[b]);
      result.score += logprob;
      if (trace) {
        result.trace.push_back(trace->at(b, token));
        const auto row = [&](const at::Tensor& t, auto type) {
          const auto* first = t.data_ptr<decltype(type)>() + b * K;
          return std::vector<decltype(type)>(first, first + K);
        };
        result.contrastive_steps.push_back({row(trace_ids, int64_t{}), row(trace_probs, double{}),
                                            row(trace_penalty, double{}), token});
      }
      if (!best_scores.empty()) result.top_logprobs.push_back(std::move(best_scores[bi]));
      if (context.on_token) context.on_token({prompt_indices[origin[bi]], 0, token, logprob});
      if (auto reason = context.stop.check(history[bi]))
        result.reason = *reason;
      else
        keep.push_back(b);
    }
    if (keep.empty()) break;
    if (keep.size() < history.size()) {
      std::vector<TokenHistory> kept_history;
      std::vector<size_t> kept_origin;
      for (auto b : keep) {
        kept_history.push_back(std::move(history[static_cast<size_t>(b)]));
        kept_origin.push_back(origin[static_cast<size_t>(b)]);
      }
      history = std::move(kept_history);
      origin = std::move(kept_origin);
      auto index = at::tensor(keep, at::kLong);
      batch->select_rows(keep);
      hidden = hidden.index_select(0, index.to(hidden.device()));
      logits = logits.index_select(0, index.to(logits.device()));
    }
  }

  std::vector<std::vector<GenerationResult>> grouped;
  for (auto& r : results) grouped.push_back({std::move(r)});
  return grouped;
}

}  // namespace gpt2
