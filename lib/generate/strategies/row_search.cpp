#include "generate/strategies/row_search.h"

#include <ATen/ATen.h>

#include <optional>

#include "generate/decode_batch.h"
#include "generate/step_trace.h"
#include "generate/top_logprobs.h"
#include "kernels/row_functions.h"

namespace gpt2 {

std::vector<std::vector<GenerationResult>> RowSearch::run(
    const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
    const SearchContext& context) {
  const int64_t samples = context.config.num_return_sequences;
  // One row per (prompt, sample); state vectors are indexed by the current batch row and
  // compacted together when rows finish.
  std::vector<std::vector<int64_t>> row_prompts;
  std::vector<TokenHistory> history;
  std::vector<RandomStream> stream_store;
  std::vector<size_t> origin;  // current row -> index into results
  for (size_t p = 0; p < prompts.size(); ++p)
    for (int64_t s = 0; s < samples; ++s) {
      row_prompts.push_back(prompts[p]);
      history.push_back({prompts[p], static_cast<int64_t>(prompts[p].size())});
      const auto sequence = static_cast<uint64_t>(prompt_indices[p] * samples + s);
      stream_store.emplace_back(context.seed, sequence);
      origin.push_back(origin.size());
    }
  std::vector<RandomStream*> streams;
  for (auto& s : stream_store) streams.push_back(&s);
  std::vector<GenerationResult> results(row_prompts.size());

  const int64_t max_new = context.config.max_new_tokens;
  auto batch = std::make_unique<DecodeBatch>(context.model, row_prompts, max_new);
  at::Tensor logits = batch->prefill();  // (B, V)
  while (true) {
    const at::Tensor raw = context.trace ? logits.clone() : at::Tensor();  // (B, V)
    context.processors.apply(logits, history);
    at::Tensor tokens = pick(logits, streams);  // (B)
    std::optional<StepTrace> trace;
    if (context.trace) trace.emplace(raw, logits);
    at::Tensor chosen = logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);  // (B)
    at::Tensor logprobs = chosen - log_sum_exp_rows(logits);  // (B): log_softmax(logits)[token]
    std::vector<TopLogprobs> top;
    if (context.config.output_scores_top_k > 0)
      top = top_logprobs_rows(logits.log_softmax(-1), context.config.output_scores_top_k);
    auto token_cpu = tokens.to(at::kCPU).contiguous();
    auto logprob_cpu = logprobs.to(at::kCPU).contiguous();
    auto chosen_cpu = chosen.to(at::kCPU).contiguous();
    const auto* token = token_cpu.data_ptr<int64_t>();
    const auto* logprob = logprob_cpu.data_ptr<float>();
    const auto* transition = chosen_cpu.data_ptr<float>();

    std::vector<int64_t> keep;
    for (size_t b = 0; b < history.size(); ++b) {
      auto& result = results[origin[b]];
      history[b].tokens.push_back(token[b]);
      result.tokens.push_back(token[b]);
      result.logprobs.push_back(logprob[b]);
      result.transition_scores.push_back(transition[b]);
      result.score += logprob[b];
      if (trace) result.trace.push_back(trace->at(static_cast<int64_t>(b), token[b]));
      if (!top.empty()) result.top_logprobs.push_back(std::move(top[b]));
      if (context.on_token) {
        const auto row = static_cast<int64_t>(origin[b]);
        context.on_token({prompt_indices[static_cast<size_t>(row / samples)], row % samples,
                          token[b], logprob[b]});
      }
      if (auto reason = context.stop.check(history[b]))
        result.reason = *reason;
      else
        keep.push_back(static_cast<int64_t>(b));
    }
    if (keep.empty()) break;
    const bool shrink = keep.size() < history.size();
    if (shrink) {
      tokens = tokens.index_select(0, at::tensor(keep, at::kLong).to(tokens.device()));
      std::vector<TokenHistory> kept_history;
      std::vector<RandomStream*> kept_streams;
      std::vector<size_t> kept_origin;
      for (auto b : keep) {
        kept_history.push_back(std::move(history[static_cast<size_t>(b)]));
        kept_streams.push_back(streams[static_cast<size_t>(b)]);
        kept_origin.push_back(origin[static_cast<size_t>(b)]);
      }
      history = std::move(kept_history);
      streams = std::move(kept_streams);
      origin = std::move(kept_origin);
    }
    logits = DecodeBatch::next_logits(batch, shrink ? keep : std::vector<int64_t>{}, tokens,
                                      history, max_new);
  }

  std::vector<std::vector<GenerationResult>> grouped(prompts.size());
  for (size_t i = 0; i < results.size(); ++i)
    grouped[i / static_cast<size_t>(samples)].push_back(std::move(results[i]));
  return grouped;
}

}  // namespace gpt2
