#include "generate/strategies/speculative.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/error.h"
#include "generate/prompt_lookup.h"
#include "generate/ragged_batch.h"
#include "generate/random_stream.h"
#include "generate/step_trace.h"
#include "generate/top_logprobs.h"
#include "kernels/row_functions.h"

namespace gpt2 {

namespace {

// One row being decoded: its tokens, its random stream, the tokens each model has yet to see.
struct Row {
  TokenHistory history;
  RandomStream stream;
  size_t result = 0;                   // index into the results
  std::vector<int64_t> draft_pending;  // tokens the draft model has not seen yet
};

// The rows' histories with each row's first `count(b)` draft tokens appended.
template <class Count>
std::vector<TokenHistory> extended(const std::vector<Row>& rows,
                                   const std::vector<std::vector<int64_t>>& drafts, Count count) {
  std::vector<TokenHistory> out;
  for (size_t b = 0; b < rows.size(); ++b) {
    TokenHistory h = rows[b].history;
    const auto n = std::min(count(b), drafts[b].size());
    h.tokens.insert(h.tokens.end(), drafts[b].begin(), drafts[b].begin() + static_cast<long>(n));
    out.push_back(std::move(h));
  }
  return out;
}

// A (B, W) block of per-row token lists, each right-aligned (leading holes) or left-aligned
// (trailing holes), with its validity mask.
std::pair<at::Tensor, at::Tensor> block_of(const std::vector<std::vector<int64_t>>& lists,
                                           bool right_aligned) {
  size_t width = 0;
  for (const auto& l : lists) width = std::max(width, l.size());
  const auto B = static_cast<int64_t>(lists.size()), W = static_cast<int64_t>(width);
  auto tokens = at::zeros({B, W}, at::kLong);  // (B, W)
  auto valid = at::zeros({B, W}, at::kLong);   // (B, W)
  auto t = tokens.accessor<int64_t, 2>();
  auto v = valid.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& l = lists[static_cast<size_t>(b)];
    const int64_t offset = right_aligned ? W - static_cast<int64_t>(l.size()) : 0;
    for (size_t i = 0; i < l.size(); ++i) {
      t[b][offset + static_cast<int64_t>(i)] = l[i];
      v[b][offset + static_cast<int64_t>(i)] = 1;
    }
  }
  return {tokens, valid};
}

// A processed distribution, kept as scores and their log-normaliser: p(v) = exp(s[v] - lse).
struct Scores {
  at::Tensor scores;  // (B, V) float32, CPU
  at::Tensor lse;     // (B)
  at::Tensor argmax;  // (B) int64: the first index among ties, as greedy search picks
  const float* row(int64_t b) const { return scores.data_ptr<float>() + b * scores.size(1); }
  float score(int64_t b, int64_t v) const { return row(b)[v]; }
  float log_norm(int64_t b) const { return lse.data_ptr<float>()[b]; }
  float logp(int64_t b, int64_t v) const { return score(b, v) - log_norm(b); }
  double p(int64_t b, int64_t v) const { return std::exp(double(logp(b, v))); }
  int64_t best(int64_t b) const { return argmax.data_ptr<int64_t>()[b]; }
};

Scores processed(at::Tensor logits, const ProcessorChain& processors,
                 const std::vector<TokenHistory>& histories) {
  processors.apply(logits, histories);
  return {logits.to(at::kCPU).contiguous(), log_sum_exp_rows(logits).to(at::kCPU).contiguous(),
          argmax_rows(logits).to(at::kCPU, at::kLong).contiguous()};
}

// Index drawn from weights w[0..V) (unnormalised, >= 0) with u in [0, 1).
int64_t draw(const std::vector<float>& w, double u) {
  return sample_index(w.data(), static_cast<int64_t>(w.size()), u);
}

}  // namespace

void SpeculationStats::add(const GenerationResult& r) {
  drafted += r.drafted;
  accepted += r.accepted;
  passes += r.target_passes;
  tokens += static_cast<int64_t>(r.tokens.size());
}

std::string SpeculationStats::summary() const {
  if (passes == 0) return "";
  char line[160];
  std::snprintf(line, sizeof line,
                "[speculative: %lld/%lld drafted tokens accepted (%.1f%%), %.2f tokens per model "
                "pass]\n",
                static_cast<long long>(accepted), static_cast<long long>(drafted),
                100 * acceptance(), tokens_per_pass());
  return line;
}

std::vector<std::vector<GenerationResult>> SpeculativeSearch::run(
    const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
    const SearchContext& context) {
  const GenerateConfig& config = context.config;
  const bool sampling = config.search() == "sample";
  LogitsSource& target = context.model;
  LogitsSource* draft = config.draft_model.empty() ? nullptr : context.draft;
  require(config.draft_model.empty() || draft,
          "generate.draft_model is set, but no draft model was loaded");
  if (draft) {
    require(draft->vocab_size() == target.vocab_size(),
            "draft model " + config.draft_model + " has a vocabulary of " +
                std::to_string(draft->vocab_size()) + " tokens and the model " +
                std::to_string(target.vocab_size()) +
                ": a draft model must use the same tokenizer (a smaller GPT-2 of the same family)");
    require(draft->context_length() >= target.context_length(),
            "draft model " + config.draft_model + " takes " +
                std::to_string(draft->context_length()) + " positions, fewer than the model's " +
                std::to_string(target.context_length()) +
                ": use a draft model with at least the model's context");
  }
  const int64_t k = config.num_draft_tokens, max_new = config.max_new_tokens;
  const int64_t vocab = target.vocab_size();
  const int64_t samples = config.num_return_sequences;

  for (size_t i = 0; i < prompts.size(); ++i)
    require(static_cast<int64_t>(prompts[i].size()) < target.context_length(),
            "prompt " + std::to_string(i) + " has " + std::to_string(prompts[i].size()) +
                " tokens, which leaves no room in the model's context of " +
                std::to_string(target.context_length()) + " positions");
  std::vector<Row> rows;
  for (size_t p = 0; p < prompts.size(); ++p)
    for (int64_t s = 0; s < samples; ++s)
      rows.push_back(
          {{prompts[p], static_cast<int64_t>(prompts[p].size())},
           RandomStream(context.seed, static_cast<uint64_t>(prompt_indices[p] * samples + s)),
           rows.size(),
           {}});
  std::vector<GenerationResult> results(rows.size());

  // Both models see every row's tokens but the last; the round feeds it first.
  std::unique_ptr<RaggedBatch> model_batch, draft_batch;
  {
    std::vector<std::vector<int64_t>> seen;
    size_t longest = 0;
    for (auto& r : rows) {
      seen.emplace_back(r.history.tokens.begin(), r.history.tokens.end() - 1);
      longest = std::max(longest, seen.back().size());
      r.draft_pending = {r.history.tokens.back()};
    }
    const int64_t capacity = static_cast<int64_t>(longest) + (max_new + 1) * (k + 1) + 1;
    model_batch = std::make_unique<RaggedBatch>(target, seen, capacity);
    model_batch->prefill_last();
    if (draft) {
      draft_batch = std::make_unique<RaggedBatch>(*draft, seen, capacity);
      draft_batch->prefill_last();
    }
  }

  while (!rows.empty()) {
    const auto B = static_cast<int64_t>(rows.size());
    // Draft length this round: the model verifies 1 + K columns, the draft is fed its pending
    // tokens and K - 1 drafts.
    auto draft_columns = [&](int64_t K) {
      size_t pending = 0;
      for (const auto& r : rows) pending = std::max(pending, r.draft_pending.size());
      return static_cast<int64_t>(pending) + K - 1;
    };
    int64_t K = k;
    if (model_batch->room() < 1 + K) model_batch->pack();
    if (draft_batch && draft_batch->room() < draft_columns(K)) draft_batch->pack();
    K = std::min(K, model_batch->room() - 1);
    if (draft_batch) K = std::min(K, draft_batch->room() - draft_columns(0));

    // 1. Drafts, and for a sampling draft model its distributions q (per position, (B, V)).
    std::vector<std::vector<int64_t>> drafts(rows.size());
    std::vector<at::Tensor> q;
    if (draft_batch && K > 0) {
      std::vector<std::vector<int64_t>> pending;
      for (const auto& r : rows) pending.push_back(r.draft_pending);
      auto [tokens, valid] = block_of(pending, /*right_aligned=*/true);
      at::Tensor logits = draft_batch->append_last(tokens, valid);  // (B, V)
      for (int64_t j = 0; j < K; ++j) {
        const auto drafted = static_cast<size_t>(j);
        context.processors.apply(logits, extended(rows, drafts, [&](size_t) { return drafted; }));
        std::vector<int64_t> next(rows.size());
        if (sampling) {
          auto probs = logits.softmax(-1).to(at::kCPU).contiguous();  // (B, V)
          const float* pr = probs.data_ptr<float>();
          for (int64_t b = 0; b < B; ++b)
            next[static_cast<size_t>(b)] =
                sample_index(pr + b * vocab, vocab, rows[static_cast<size_t>(b)].stream.uniform());
          q.push_back(probs);
        } else {
          auto best = argmax_rows(logits).to(at::kCPU, at::kLong).contiguous();  // (B)
          next.assign(best.data_ptr<int64_t>(), best.data_ptr<int64_t>() + B);
        }
        for (size_t b = 0; b < rows.size(); ++b) drafts[b].push_back(next[b]);
        if (j + 1 < K)
          logits = draft_batch->append_last(at::tensor(next, at::kLong).view({B, 1}),
                                            at::ones({B, 1}, at::kLong));  // (B, V)
      }
    } else if (config.prompt_lookup_ngram > 0) {
      for (size_t b = 0; b < rows.size(); ++b) {
        const int64_t left = max_new - rows[b].history.generated() - 1;  // the last is the model's
        drafts[b] = prompt_lookup_draft(rows[b].history.tokens, config.prompt_lookup_ngram,
                                        std::min(K, left));
      }
    }

    // 2. One pass of the model over [pending, drafts...]: the distribution after each prefix.
    std::vector<std::vector<int64_t>> verify;
    int64_t longest_draft = 0;
    for (size_t b = 0; b < rows.size(); ++b) {
      verify.push_back({rows[b].history.tokens.back()});
      verify.back().insert(verify.back().end(), drafts[b].begin(), drafts[b].end());
      longest_draft = std::max(longest_draft, static_cast<int64_t>(drafts[b].size()));
    }
    auto [block, block_valid] = block_of(verify, /*right_aligned=*/false);
    auto logits =
        model_batch->append_all(block, block_valid, /*hidden=*/false).logits;  // (B, W, V)
    std::vector<Scores> p;
    std::vector<StepTrace> traces;  // per position, when tracing
    for (int64_t i = 0; i <= longest_draft; ++i) {
      p.push_back(
          processed(logits.select(1, i).clone(), context.processors,
                    extended(rows, drafts, [&](size_t) { return static_cast<size_t>(i); })));
      if (context.trace) traces.emplace_back(logits.select(1, i), p.back().scores);
    }

    // 3. Per row: the accepted prefix, then one token of the model's.
    auto q_at = [&](int64_t i, int64_t b, int64_t v) {
      return q[static_cast<size_t>(i)].data_ptr<float>()[b * vocab + v];
    };
    std::vector<int64_t> model_drop, draft_drop, keep;
    for (size_t bi = 0; bi < rows.size(); ++bi) {
      const auto b = static_cast<int64_t>(bi);
      Row& row = rows[bi];
      const auto& d = drafts[bi];
      const auto n_draft = static_cast<int64_t>(d.size());
      int64_t n = 0;  // accepted
      for (; n < n_draft; ++n) {
        const int64_t x = d[static_cast<size_t>(n)];
        const auto& pn = p[static_cast<size_t>(n)];
        if (!sampling) {
          if (pn.best(b) != x) break;
          continue;
        }
        const double qx = q.empty() ? 1.0 : double(q_at(n, b, x));
        if (!(row.stream.uniform() * qx < pn.p(b, x))) break;
      }
      const auto& pn = p[static_cast<size_t>(n)];
      int64_t last;
      if (!sampling) {
        last = pn.best(b);
      } else {
        std::vector<float> w(static_cast<size_t>(vocab));
        double mass = 0;
        for (int64_t v = 0; v < vocab; ++v) {
          double pv = pn.p(b, v);
          if (n < n_draft)  // rejected: the residual max(0, p - q)
            pv -= q.empty() ? (v == d[static_cast<size_t>(n)] ? 1.0 : 0.0) : double(q_at(n, b, v));
          w[static_cast<size_t>(v)] = static_cast<float>(std::max(0.0, pv));
          mass += w[static_cast<size_t>(v)];
        }
        if (mass <= 0)  // p == q up to rounding: the residual is empty, p itself is exact
          for (int64_t v = 0; v < vocab; ++v) w[static_cast<size_t>(v)] = float(pn.p(b, v));
        last = draw(w, row.stream.uniform());
      }

      GenerationResult& result = results[row.result];
      result.drafted += n_draft;
      result.accepted += n;
      result.target_passes += 1;
      if (context.trace) result.draft_blocks.push_back({d, n, last});
      std::vector<int64_t> emitted(d.begin(), d.begin() + n);
      emitted.push_back(last);
      bool finished = false;
      for (size_t i = 0; i < emitted.size() && !finished; ++i) {
        const int64_t t = emitted[i];
        const float logprob = p[i].logp(b, t);
        row.history.tokens.push_back(t);
        result.tokens.push_back(t);
        result.logprobs.push_back(logprob);
        result.transition_scores.push_back(p[i].score(b, t));
        result.score += logprob;
        if (context.trace) result.trace.push_back(traces[i].at(b, t));
        if (config.output_scores_top_k > 0)
          result.top_logprobs.push_back(
              top_logprobs(p[i].row(b), vocab, p[i].log_norm(b), config.output_scores_top_k));
        if (context.on_token) {
          const auto r = static_cast<int64_t>(row.result);
          context.on_token(
              {prompt_indices[static_cast<size_t>(r / samples)], r % samples, t, logprob});
        }
        if (auto reason = context.stop.check(row.history)) {
          result.reason = *reason;
          finished = true;
        }
      }
      model_drop.push_back(n_draft - n);
      if (draft_batch && K > 0) {
        // The draft saw its pending tokens and drafts 0 .. K-2.
        draft_drop.push_back(K - 1 - std::min(n, K - 1));
        row.draft_pending.clear();
        if (n == K) row.draft_pending.push_back(d.back());
      } else {
        draft_drop.push_back(0);
      }
      row.draft_pending.push_back(last);
      if (!finished) keep.push_back(b);
    }
    model_batch->drop_last(model_drop);
    if (draft_batch) draft_batch->drop_last(draft_drop);
    if (keep.size() < rows.size()) {
      if (keep.empty()) break;
      std::vector<Row> kept;
      for (auto b : keep) kept.push_back(std::move(rows[static_cast<size_t>(b)]));
      rows = std::move(kept);
      model_batch->select_rows(keep);
      if (draft_batch) draft_batch->select_rows(keep);
    }
  }

  std::vector<std::vector<GenerationResult>> grouped(prompts.size());
  for (size_t i = 0; i < results.size(); ++i)
    grouped[i / static_cast<size_t>(samples)].push_back(std::move(results[i]));
  return grouped;
}

}  // namespace gpt2
