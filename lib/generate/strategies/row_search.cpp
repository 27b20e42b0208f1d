#include "generate/strategies/row_search.h"

#include <ATen/ATen.h>

namespace gpt2 {

std::vector<DecodeRow> RowSearch::start(PromptSearch& prompt, const SearchContext& context) {
  const int64_t samples = context.config.num_return_sequences;
  std::vector<DecodeRow> rows(static_cast<size_t>(samples));
  for (int64_t s = 0; s < samples; ++s) {
    rows[static_cast<size_t>(s)].score = 0;  // the sum of the tokens' log-probabilities
    rows[static_cast<size_t>(s)].sample = s;
    // A stream per (prompt, sample), so a sequence does not depend on its batch.
    prompt.streams.emplace_back(context.seed, static_cast<uint64_t>(prompt.index * samples + s));
  }
  prompt.finished.assign(static_cast<size_t>(samples), HypothesisSet{1, {}});
  return rows;
}

std::vector<Choice> RowSearch::select(PromptSearch& prompt, const DecodeStep& step,
                                      const SearchContext& context) {
  std::vector<RandomStream*> streams;
  for (int64_t r = prompt.first; r < prompt.first + prompt.count; ++r)
    streams.push_back(&prompt.streams[static_cast<size_t>(step.row(r).sample)]);
  auto picked = pick(step.processed().narrow(0, prompt.first, prompt.count), streams);  // (n)
  auto picked_cpu = picked.to(at::kCPU).contiguous();
  const auto* token = picked_cpu.data_ptr<int64_t>();
  std::vector<Choice> next;
  for (int64_t i = 0; i < prompt.count; ++i) {
    const int64_t r = prompt.first + i;
    const auto& row = step.row(r);
    if (!row.live) continue;
    const float logprob = step.logprob(r, token[i]);
    const double score = row.score + logprob;
    if (context.on_token)
      prompt.final_tokens.push_back({prompt.index, row.sample, token[i], logprob});
    if (auto reason = context.stop.stop_if_appended(step.history(r), token[i])) {
      Hypothesis finished{step.extended(r, token[i]), 0};  // rank 0: results in sample order
      finished.result.score = score;
      finished.result.reason = *reason;
      prompt.finished[static_cast<size_t>(row.sample)].add(std::move(finished));
    } else {
      next.push_back({r, token[i], score, kDeadScore, true});
    }
  }
  if (next.empty()) prompt.done = true;
  return next;
}

void RowSearch::finish_running(PromptSearch& prompt, int64_t, DecodeRow row, StopReason reason,
                               const SearchContext&) {
  row.sequence.score = row.score;
  row.sequence.reason = reason;
  prompt.finished[static_cast<size_t>(row.sample)].add({std::move(row.sequence), 0});
}

}  // namespace gpt2
