#include "generate/strategies/beam_search.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace gpt2 {

double BeamSearch::length_normalised(double sum, int64_t length, double penalty) {
  return sum / std::pow(static_cast<double>(std::max<int64_t>(length, 1)), penalty);
}

Hypothesis BeamSearch::hypothesis(const DecodeStep& step, int64_t parent, int64_t token,
                                  double score, double rank, StopReason reason) {
  Hypothesis h{step.extended(parent, token), rank};
  h.result.score = score;
  h.result.reason = reason;
  return h;
}

std::vector<DecodeRow> BeamSearch::start(PromptSearch& prompt, const SearchContext& context) {
  const auto groups = static_cast<size_t>(context.config.num_beam_groups);
  std::vector<DecodeRow> rows(static_cast<size_t>(context.config.num_beams));
  const size_t group_size = rows.size() / groups;
  for (size_t j = 0; j < rows.size(); ++j) {
    rows[j].live = j % group_size == 0;
    rows[j].score = rows[j].live ? 0.0 : kDeadScore;
  }
  prompt.finished.assign(groups, {group_size, {}});
  prompt.group_done.assign(groups, false);
  prompt.streams.emplace_back(context.seed, static_cast<uint64_t>(prompt.index));
  return rows;
}

void BeamSearch::finish_running(PromptSearch& prompt, int64_t position, DecodeRow row,
                                StopReason reason, const SearchContext& context) {
  const int64_t group_size = context.config.num_beams / context.config.num_beam_groups;
  const double rank = length_normalised(row.score, static_cast<int64_t>(row.sequence.tokens.size()),
                                        context.config.length_penalty);
  row.sequence.score = rank;
  row.sequence.reason = reason;
  prompt.finished[static_cast<size_t>(position / group_size)].add({std::move(row.sequence), rank});
}

std::vector<Choice> BeamSearch::select(PromptSearch& prompt, const DecodeStep& step,
                                       const SearchContext& context) {
  const auto& config = context.config;
  const int64_t beams = config.num_beams, groups = config.num_beam_groups;
  const int64_t group_size = beams / groups, vocab = step.scores().size(1);
  const int64_t generated = step.generated();
  const double lp = config.length_penalty;
  // The longest a hypothesis of this prompt can get, for early_stopping = never.
  const int64_t longest = context.stop.longest(prompt.prompt_length);
  std::vector<Choice> chosen;
  std::vector<double> used(static_cast<size_t>(vocab), 0.0);  // tokens earlier groups chose
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t begin = prompt.first + g * group_size;
    auto& hyps = prompt.finished[static_cast<size_t>(g)];
    auto dead_fill = [&] {
      while (static_cast<int64_t>(chosen.size()) < (g + 1) * group_size)
        chosen.push_back({begin, 0, kDeadScore, kDeadScore, false});
    };
    if (prompt.group_done[static_cast<size_t>(g)]) {
      dead_fill();
      continue;
    }
    std::vector<double> base;
    for (int64_t j = 0; j < group_size; ++j) base.push_back(step.row(begin + j).score);
    auto block = step.scores().narrow(0, begin, group_size).to(at::kDouble);  // (k, V)
    auto candidates = block + at::tensor(base, at::kDouble).unsqueeze(1);     // (k, V)
    if (config.diversity_penalty != 0 && g > 0)
      candidates -= at::tensor(used, at::kDouble).mul(config.diversity_penalty).unsqueeze(0);
    // As Hugging Face, max(2, 1 + stop ids) * beams candidates: enough that num_beams go on
    // even when every stop id is among the best.
    const auto stops = static_cast<int64_t>(context.stop.settings().stop_ids.size());
    const int64_t scan = std::max<int64_t>(2, 1 + stops) * group_size;
    auto top = at::topk(candidates.reshape({-1}), std::min(scan, group_size * vocab));
    auto top_score = std::get<0>(top).contiguous();
    auto top_index = std::get<1>(top).contiguous();
    const auto* score = top_score.data_ptr<double>();
    const auto* index = top_index.data_ptr<int64_t>();
    const int64_t count = top_score.size(0);
    int64_t live = 0;
    double best_live = kDeadScore;  // the best running beam's score, for the early-stop test
    for (int64_t rank = 0; rank < count && live < group_size; ++rank) {
      if (std::isinf(score[rank])) break;  // only dead beams or banned tokens remain
      const int64_t parent = begin + index[rank] / vocab, token = index[rank] % vocab;
      if (auto reason = context.stop.stop_if_appended(step.history(parent), token)) {
        if (rank >= group_size) continue;  // only the top num_beams may finish
        const double normalised = length_normalised(score[rank], generated, lp);
        hyps.add(hypothesis(step, parent, token, normalised, normalised, *reason));
        continue;
      }
      chosen.push_back({parent, token, score[rank], kDeadScore, true});
      used[static_cast<size_t>(token)] += 1;
      if (live == 0) best_live = score[rank];
      ++live;
    }
    dead_fill();
    // Hugging Face's is_done: once num_beams hypotheses finished, early_stopping true stops;
    // false stops when the best running beam, scored at its current length, cannot beat the
    // worst kept one; never does the same at the longest length it could reach (when
    // length_penalty > 0, else at the current length, as Hugging Face).
    bool done = hyps.kept.size() >= static_cast<size_t>(group_size);
    if (done && config.early_stopping != "true") {
      const int64_t length = config.early_stopping == "never" && lp > 0 ? longest : generated;
      done = live == 0 || hyps.worst() >= length_normalised(best_live, length, lp);
    }
    if (live == 0) done = true;
    prompt.group_done[static_cast<size_t>(g)] = done;
  }
  prompt.done =
      std::all_of(prompt.group_done.begin(), prompt.group_done.end(), [](bool d) { return d; });
  return chosen;
}

void BeamSearch::stepped(PromptSearch& prompt, const std::vector<DecodeRow>& rows) {
  // The first result is a finished hypothesis of the best rank now (ranks never change and the
  // best is only dropped for a better one) or one still to come from a live beam.
  double best = kDeadScore;
  for (const auto& group : prompt.finished)
    if (!group.kept.empty()) best = std::max(best, group.kept.front().rank);
  std::vector<const GenerationResult*> sequences;
  for (const auto& row : rows)
    if (row.live) sequences.push_back(&row.sequence);
  for (const auto& group : prompt.finished)
    for (const auto& h : group.kept)
      if (h.rank >= best) sequences.push_back(&h.result);
  if (sequences.empty()) return;
  const auto& first = *sequences.front();
  size_t shared = first.tokens.size();
  for (const auto* s : sequences) {
    shared = std::min(shared, s->tokens.size());
    for (size_t i = prompt.streamed; i < shared; ++i)
      if (s->tokens[i] != first.tokens[i]) shared = i;
  }
  for (size_t i = prompt.streamed; i < shared; ++i)
    prompt.final_tokens.push_back({prompt.index, 0, first.tokens[i], first.logprobs[i]});
  prompt.streamed = std::max(prompt.streamed, shared);
}

void BeamSearch::concluded(PromptSearch& prompt, const std::vector<GenerationResult>& results) {
  if (results.empty()) return;
  const auto& best = results.front();
  for (size_t i = prompt.streamed; i < best.tokens.size(); ++i)
    prompt.final_tokens.push_back({prompt.index, 0, best.tokens[i], best.logprobs[i]});
}

}  // namespace gpt2
