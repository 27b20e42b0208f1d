#include "generate/decode_loop.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <memory>
#include <numeric>

#include "generate/decode_batch.h"
#include "generate/top_logprobs.h"
#include "kernels/row_functions.h"

namespace gpt2 {

void HypothesisSet::add(Hypothesis h) {
  if (kept.size() >= capacity && h.rank <= worst()) return;
  kept.push_back(std::move(h));
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.rank > b.rank; });
  if (kept.size() > capacity) kept.pop_back();
}

double HypothesisSet::worst() const {
  return kept.empty() ? kDeadScore : kept.back().rank;
}

DecodeStep::DecodeStep(at::Tensor logits, ScoreSpace space,
                       const std::vector<TokenHistory>& histories,
                       const std::vector<DecodeRow>& rows, const SearchContext& context)
    : histories_(histories),
      rows_(rows),
      generated_(histories.front().generated() + 1) {  // every row has the same length
  const at::Tensor raw = context.trace ? logits.clone() : at::Tensor();  // (R, V)
  // As Hugging Face: beams' processors see log-probabilities and their output is summed as it
  // is (renormalize_logits, last in the chain, makes it a distribution again).
  processed_ = space == ScoreSpace::logits ? std::move(logits) : logits.log_softmax(-1);  // (R, V)
  context.processors.apply(processed_, histories);
  if (space == ScoreSpace::renormalised_logprobs) processed_ = processed_.log_softmax(-1);
  if (context.trace) trace_.emplace(raw, processed_);
  scores_ = processed_.to(at::kCPU).contiguous();  // (R, V)
  if (space == ScoreSpace::logits) {
    auto norm = log_sum_exp_rows(processed_).to(at::kCPU).contiguous();  // (R)
    log_norm_.assign(norm.data_ptr<float>(), norm.data_ptr<float>() + norm.numel());
  }
  if (context.config.output_scores_top_k > 0)
    top_ = top_logprobs_rows(space == ScoreSpace::logits ? processed_.log_softmax(-1) : processed_,
                             context.config.output_scores_top_k);
}

float DecodeStep::logprob(int64_t row, int64_t token) const {
  const float score = scores_.data_ptr<float>()[row * scores_.size(1) + token];
  return log_norm_.empty() ? score : score - log_norm_[static_cast<size_t>(row)];
}

void DecodeStep::append(GenerationResult& sequence, int64_t row, int64_t token) const {
  sequence.tokens.push_back(token);
  sequence.logprobs.push_back(logprob(row, token));
  sequence.transition_scores.push_back(scores_.data_ptr<float>()[row * scores_.size(1) + token]);
  if (trace_) sequence.trace.push_back(trace_->at(row, token));
  if (!top_.empty()) sequence.top_logprobs.push_back(top_[static_cast<size_t>(row)]);
}

GenerationResult DecodeStep::extended(int64_t row, int64_t token) const {
  GenerationResult sequence = rows_[static_cast<size_t>(row)].sequence;
  append(sequence, row, token);
  return sequence;
}

namespace {

bool is_identity(const std::vector<int64_t>& index, size_t size) {
  if (index.size() != size) return false;
  for (size_t i = 0; i < index.size(); ++i)
    if (index[i] != static_cast<int64_t>(i)) return false;
  return true;
}

void send_final_tokens(PromptSearch& prompt, const SearchContext& context) {
  for (const auto& event : prompt.final_tokens) context.on_token(event);
  prompt.final_tokens.clear();
}

}  // namespace

std::vector<std::vector<GenerationResult>> SelectionPolicy::run(
    const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
    const SearchContext& context) {
  const int64_t max_new = context.config.max_new_tokens;
  auto batch = std::make_unique<DecodeBatch>(context.model, prompts, max_new);
  at::Tensor logits = batch->prefill();  // (N, V)

  // Each prompt's rows start from its prefill row; they are rows [first, first + count).
  std::vector<PromptSearch> search(prompts.size());
  std::vector<TokenHistory> histories;
  std::vector<DecodeRow> rows;
  std::vector<int64_t> expand;
  for (size_t p = 0; p < prompts.size(); ++p) {
    auto& prompt = search[p];
    prompt.index = prompt_indices[p];
    prompt.prompt_length = static_cast<int64_t>(prompts[p].size());
    prompt.first = static_cast<int64_t>(rows.size());
    for (auto& row : start(prompt, context)) {
      rows.push_back(std::move(row));
      histories.push_back({prompts[p], prompt.prompt_length});
      expand.push_back(static_cast<int64_t>(p));
    }
    prompt.count = static_cast<int64_t>(rows.size()) - prompt.first;
  }
  if (!is_identity(expand, prompts.size())) {
    batch->select_rows(expand);
    logits = logits.index_select(0, at::tensor(expand, at::kLong).to(logits.device()));  // (R, V)
  }

  std::vector<size_t> active(prompts.size());  // prompts still decoding, in row order
  std::iota(active.begin(), active.end(), size_t{0});
  while (!active.empty()) {
    std::vector<int64_t> parents, tokens;
    std::vector<TokenHistory> next_histories;
    std::vector<DecodeRow> next_rows;
    std::vector<size_t> still_active;
    const DecodeStep step(logits, space(), histories, rows, context);
    for (auto slot : active) {
      auto& prompt = search[slot];
      const std::vector<Choice> chosen = select(prompt, step, context);
      // The chosen rows, each its parent's sequence and the token; a parent's last child
      // takes its sequence rather than a copy (only this prompt's rows are touched).
      std::vector<int64_t> uses(static_cast<size_t>(prompt.count), 0);
      for (const auto& c : chosen) ++uses[static_cast<size_t>(c.parent - prompt.first)];
      std::vector<TokenHistory> child_histories;
      std::vector<DecodeRow> children;
      for (const auto& c : chosen) {
        const auto parent = static_cast<size_t>(c.parent);
        const bool last_use = --uses[parent - static_cast<size_t>(prompt.first)] == 0;
        child_histories.push_back(last_use ? std::move(histories[parent]) : histories[parent]);
        child_histories.back().tokens.push_back(c.token);
        DecodeRow child{{}, c.score, c.key, rows[parent].sample, c.live};
        if (c.live) {
          child.sequence = last_use ? std::move(rows[parent].sequence) : rows[parent].sequence;
          step.append(child.sequence, c.parent, c.token);
        }
        children.push_back(std::move(child));
      }
      // Length and context limits, the one place they are checked: every row of a prompt has
      // the same length, so they end together.
      if (!prompt.done) {
        bool any_live = false;
        for (size_t j = 0; j < children.size(); ++j) {
          if (!children[j].live) continue;
          if (auto reason = context.stop.limit_reached(child_histories[j])) {
            finish_running(prompt, static_cast<int64_t>(j), std::move(children[j]), *reason,
                           context);
            children[j].live = false;
          } else
            any_live = true;
        }
        prompt.done = !any_live;
      }
      if (context.on_token) {
        if (!prompt.done) stepped(prompt, children);
        send_final_tokens(prompt, context);
      }
      if (prompt.done) continue;
      prompt.first = static_cast<int64_t>(next_rows.size());
      prompt.count = static_cast<int64_t>(children.size());
      for (size_t j = 0; j < children.size(); ++j) {
        parents.push_back(chosen[j].parent);
        tokens.push_back(chosen[j].token);
        next_histories.push_back(std::move(child_histories[j]));
        next_rows.push_back(std::move(children[j]));
      }
      still_active.push_back(slot);
    }
    active = std::move(still_active);
    if (active.empty()) break;
    const bool same_rows = is_identity(parents, rows.size());
    histories = std::move(next_histories);
    rows = std::move(next_rows);
    logits = DecodeBatch::next_logits(batch, same_rows ? std::vector<int64_t>{} : parents,
                                      at::tensor(tokens, at::kLong), histories, max_new);
  }

  std::vector<std::vector<GenerationResult>> results(prompts.size());
  for (size_t p = 0; p < prompts.size(); ++p) {
    std::vector<Hypothesis> all;
    for (auto& group : search[p].finished)
      for (auto& h : group.kept) all.push_back(std::move(h));
    std::stable_sort(all.begin(), all.end(),
                     [](const Hypothesis& a, const Hypothesis& b) { return a.rank > b.rank; });
    const auto wanted = static_cast<size_t>(context.config.num_return_sequences);
    for (size_t i = 0; i < all.size() && i < wanted; ++i)
      results[p].push_back(std::move(all[i].result));
    if (context.on_token) {
      concluded(search[p], results[p]);
      send_final_tokens(search[p], context);
    }
  }
  return results;
}

}  // namespace gpt2
