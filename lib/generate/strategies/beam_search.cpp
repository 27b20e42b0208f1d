#include "generate/strategies/beam_search.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "generate/decode_batch.h"

namespace gpt2 {

void BeamSearch::HypothesisSet::add(Hypothesis h) {
  if (kept.size() >= capacity && h.rank <= worst()) return;
  kept.push_back(std::move(h));
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.rank > b.rank; });
  if (kept.size() > capacity) kept.pop_back();
}

double BeamSearch::HypothesisSet::worst() const {
  return kept.empty() ? kDead : kept.back().rank;
}

double BeamSearch::length_normalised(double sum, int64_t length, double penalty) {
  return sum / std::pow(static_cast<double>(std::max<int64_t>(length, 1)), penalty);
}

BeamSearch::Hypothesis BeamSearch::make_hypothesis(const TokenHistory& history, const RowState& row,
                                                   int64_t token, float logprob, double sum,
                                                   double rank, StopReason reason) {
  Hypothesis h{{history.tokens.begin() + history.prompt_length, history.tokens.end()},
               row.logprobs,
               sum,
               rank,
               reason,
               row.trace,
               row.top};
  if (token >= 0) {
    h.tokens.push_back(token);
    h.logprobs.push_back(logprob);
  }
  return h;
}

void BeamSearch::initialise(PromptState& prompt, std::vector<RowState>& rows,
                            const SearchContext& context) const {
  // Each group starts from one live beam, so the first step does not pick the same
  // continuation num_beams times.
  const size_t group_size = rows.size() / static_cast<size_t>(context.config.num_beam_groups);
  for (size_t j = 0; j < rows.size(); ++j) rows[j].score = j % group_size == 0 ? 0.0 : kDead;
  prompt.groups.assign(static_cast<size_t>(context.config.num_beam_groups), {group_size, {}});
  prompt.group_done.assign(prompt.groups.size(), false);
}

void BeamSearch::finish_running(PromptState& prompt, int64_t group, const RowState& row,
                                const TokenHistory& history, StopReason reason,
                                const SearchContext& context) const {
  double rank = length_normalised(row.score, history.generated(), context.config.length_penalty);
  prompt.groups[static_cast<size_t>(group)].add(
      make_hypothesis(history, row, -1, 0, rank, rank, reason));
}

std::vector<BeamSearch::Choice> BeamSearch::select(PromptState& prompt, int64_t first,
                                                   const at::Tensor& logp,
                                                   const std::vector<RowState>& rows,
                                                   const std::vector<TokenHistory>& history,
                                                   int64_t generated,
                                                   const SearchContext& context) const {
  const auto& config = context.config;
  const int64_t beams = config.num_beams, groups = config.num_beam_groups;
  const int64_t group_size = beams / groups, vocab = logp.size(1);
  const double lp = config.length_penalty;
  // The longest a hypothesis of this prompt can get, for early_stopping = never.
  const int64_t longest =
      std::min(config.max_new_tokens, context.model.context_length() - prompt.prompt_length);
  const auto logprob_of = logp.accessor<float, 2>();
  std::vector<Choice> chosen;
  std::vector<double> used(static_cast<size_t>(vocab), 0.0);  // tokens earlier groups chose
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t begin = first + g * group_size;
    auto& hyps = prompt.groups[static_cast<size_t>(g)];
    auto dead_fill = [&] {
      while (static_cast<int64_t>(chosen.size()) < (g + 1) * group_size)
        chosen.push_back({begin, 0, RowState{}});
    };
    if (prompt.group_done[static_cast<size_t>(g)]) {
      dead_fill();
      continue;
    }
    std::vector<double> base;
    for (int64_t j = 0; j < group_size; ++j)
      base.push_back(rows[static_cast<size_t>(begin + j)].score);
    auto block = logp.narrow(0, begin, group_size).to(at::kDouble);        // (k, V)
    auto candidates = block + at::tensor(base, at::kDouble).unsqueeze(1);  // (k, V)
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
    double best_live = kDead;  // the best running beam's score, for the early-stop test
    for (int64_t rank = 0; rank < count && live < group_size; ++rank) {
      if (std::isinf(score[rank])) break;  // only dead beams or banned tokens remain
      const int64_t parent = begin + index[rank] / vocab, token = index[rank] % vocab;
      const auto& parent_row = rows[static_cast<size_t>(parent)];
      const float token_logprob = logprob_of[parent][token];
      auto reason = context.stop.stop_if_appended(history[static_cast<size_t>(parent)], token);
      if (reason) {
        if (rank >= group_size) continue;  // only the top num_beams may finish
        double normalised = length_normalised(score[rank], generated, lp);
        auto h = make_hypothesis(history[static_cast<size_t>(parent)], parent_row, token,
                                 token_logprob, normalised, normalised, *reason);
        extend_steps(h.trace, h.top, parent, token);
        hyps.add(std::move(h));
        continue;
      }
      RowState next{score[rank], kDead, parent_row.logprobs, parent_row.trace, parent_row.top};
      next.logprobs.push_back(token_logprob);
      extend_steps(next.trace, next.top, parent, token);
      chosen.push_back({parent, token, std::move(next)});
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

void BeamSearch::stream_final_prefix(PromptState& prompt, const std::vector<Choice>& chosen,
                                     const std::vector<TokenHistory>& chosen_history,
                                     const SearchContext& context) {
  if (!context.on_token) return;
  // The first result is a finished hypothesis of the best rank now (ranks never change and the
  // best is only dropped for a better one) or one still to come from a live beam.
  double best = kDead;
  for (const auto& group : prompt.groups)
    if (!group.kept.empty()) best = std::max(best, group.kept.front().rank);
  std::vector<const std::vector<int64_t>*> tokens;
  std::vector<const std::vector<float>*> logprobs;
  std::vector<std::vector<int64_t>> live;
  for (size_t j = 0; j < chosen.size(); ++j)
    if (chosen[j].state.score != kDead) {
      const auto& h = chosen_history[j];
      live.emplace_back(h.tokens.begin() + h.prompt_length, h.tokens.end());
      logprobs.push_back(&chosen[j].state.logprobs);
    }
  for (const auto& l : live) tokens.push_back(&l);
  for (const auto& group : prompt.groups)
    for (const auto& h : group.kept)
      if (h.rank >= best) {
        tokens.push_back(&h.tokens);
        logprobs.push_back(&h.logprobs);
      }
  if (tokens.empty()) return;
  size_t shared = tokens.front()->size();
  for (const auto* t : tokens) {
    shared = std::min(shared, t->size());
    for (size_t i = prompt.streamed; i < shared; ++i)
      if ((*t)[i] != (*tokens.front())[i]) shared = i;
  }
  for (size_t i = prompt.streamed; i < shared; ++i)
    context.on_token({prompt.prompt_index, 0, (*tokens.front())[i], (*logprobs.front())[i]});
  prompt.streamed = std::max(prompt.streamed, shared);
}

std::vector<std::vector<GenerationResult>> BeamSearch::run(
    const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
    const SearchContext& context) {
  const auto& config = context.config;
  const int64_t beams = config.num_beams;
  const size_t group_size = static_cast<size_t>(beams / config.num_beam_groups);
  auto batch = std::make_unique<DecodeBatch>(context.model, prompts, config.max_new_tokens);
  at::Tensor logits = batch->prefill();  // (N, V)

  // Expand each prompt to its beams: rows [slot * K, slot * K + K) belong to prompt slot.
  std::vector<PromptState> state(prompts.size());
  std::vector<size_t> active;  // prompts still searching, in row-block order
  std::vector<int64_t> expand;
  std::vector<TokenHistory> history;
  std::vector<RowState> rows;
  for (size_t p = 0; p < prompts.size(); ++p) {
    state[p].prompt_index = prompt_indices[p];
    state[p].prompt_length = static_cast<int64_t>(prompts[p].size());
    state[p].stream = RandomStream(context.seed, static_cast<uint64_t>(prompt_indices[p]));
    std::vector<RowState> prompt_rows(static_cast<size_t>(beams));
    initialise(state[p], prompt_rows, context);
    for (auto& r : prompt_rows) {
      rows.push_back(std::move(r));
      history.push_back({prompts[p], state[p].prompt_length});
      expand.push_back(static_cast<int64_t>(p));
    }
    active.push_back(p);
  }
  batch->select_rows(expand);
  logits = logits.index_select(0, at::tensor(expand, at::kLong).to(logits.device()));  // (N*K, V)

  for (int64_t generated = 1;; ++generated) {
    // As Hugging Face: the processors see log-probabilities and their output is summed as it
    // is (renormalize_logits, last in the chain, makes it a distribution again).
    const at::Tensor raw = context.trace ? logits.clone() : at::Tensor();  // (R, V)
    at::Tensor logp = logits.log_softmax(-1);                              // (R, V)
    context.processors.apply(logp, history);
    if (renormalises()) logp = logp.log_softmax(-1);
    if (context.trace) step_trace_.emplace(raw, logp);
    if (context.config.output_scores_top_k > 0)
      step_top_ = top_logprobs_rows(logp, context.config.output_scores_top_k);
    logp = logp.to(at::kCPU);
    std::vector<int64_t> parents, tokens;
    std::vector<TokenHistory> next_history;
    std::vector<RowState> next_rows;
    std::vector<size_t> still_active;
    for (size_t slot = 0; slot < active.size(); ++slot) {
      auto& prompt = state[active[slot]];
      const auto first = static_cast<int64_t>(slot) * beams;
      auto chosen = select(prompt, first, logp, rows, history, generated, context);
      std::vector<TokenHistory> chosen_history;
      for (const auto& c : chosen) {
        chosen_history.push_back(history[static_cast<size_t>(c.parent)]);
        chosen_history.back().tokens.push_back(c.token);
      }
      if (!prompt.done) {
        // Every beam of a prompt has the same length, so one history tells the limits.
        auto reason = context.stop.limit_reached(chosen_history.front());
        if (reason) {
          for (size_t j = 0; j < chosen.size(); ++j)
            if (chosen[j].state.score != kDead)
              finish_running(prompt, static_cast<int64_t>(j / group_size), chosen[j].state,
                             chosen_history[j], *reason, context);
          prompt.done = true;
        }
      }
      if (prompt.done) continue;
      stream_final_prefix(prompt, chosen, chosen_history, context);
      still_active.push_back(active[slot]);
      for (size_t j = 0; j < chosen.size(); ++j) {
        parents.push_back(chosen[j].parent);
        tokens.push_back(chosen[j].token);
        next_history.push_back(std::move(chosen_history[j]));
        next_rows.push_back(std::move(chosen[j].state));
      }
    }
    active = std::move(still_active);
    if (active.empty()) break;
    history = std::move(next_history);
    rows = std::move(next_rows);
    logits = DecodeBatch::next_logits(batch, parents, at::tensor(tokens, at::kLong), history,
                                      config.max_new_tokens);
  }

  std::vector<std::vector<GenerationResult>> results(prompts.size());
  for (size_t p = 0; p < prompts.size(); ++p) {
    std::vector<Hypothesis> all;
    for (auto& group : state[p].groups)
      for (auto& h : group.kept) all.push_back(std::move(h));
    std::stable_sort(all.begin(), all.end(),
                     [](const Hypothesis& a, const Hypothesis& b) { return a.rank > b.rank; });
    for (size_t i = 0; i < all.size() && i < static_cast<size_t>(config.num_return_sequences);
         ++i) {
      results[p].push_back(
          {all[i].tokens, all[i].logprobs, "", all[i].reason, all[i].score, all[i].logprobs});
      results[p].back().trace = std::move(all[i].trace);
      results[p].back().top_logprobs = std::move(all[i].top);
    }
    // The rest of the best sequence, now final.
    if (context.on_token && !results[p].empty()) {
      const auto& best = results[p].front();
      for (size_t i = state[p].streamed; i < best.tokens.size(); ++i)
        context.on_token({state[p].prompt_index, 0, best.tokens[i], best.logprobs[i]});
    }
  }
  return results;
}

}  // namespace gpt2
