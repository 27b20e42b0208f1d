#include "generate/strategies/stochastic_beam.h"

#include <ATen/ATen.h>

#include <cmath>
#include <optional>

namespace gpt2 {

void StochasticBeamSearch::initialise(PromptState& prompt, std::vector<RowState>& rows,
                                      const SearchContext&) const {
  // The root has log-probability 0 and perturbed score 0; the other slots start empty.
  for (size_t j = 0; j < rows.size(); ++j) rows[j].score = rows[j].key = j == 0 ? 0.0 : kDead;
  prompt.groups.assign(1, {rows.size(), {}});
  prompt.group_done.assign(1, false);
}

void StochasticBeamSearch::finish_running(PromptState& prompt, int64_t, const RowState& row,
                                          const TokenHistory& history, StopReason reason,
                                          const SearchContext&) const {
  prompt.groups[0].add(make_hypothesis(history, row, -1, 0, row.score, row.key, reason));
}

std::vector<BeamSearch::Choice> StochasticBeamSearch::select(
    PromptState& prompt, int64_t first, const at::Tensor& logp, const std::vector<RowState>& rows,
    const std::vector<TokenHistory>& history, int64_t, const SearchContext& context) const {
  const int64_t beams = context.config.num_beams, vocab = logp.size(1);
  auto& finished = prompt.groups[0];
  const int64_t room = beams - static_cast<int64_t>(finished.kept.size());
  std::vector<int64_t> alive;
  for (int64_t j = first; j < first + beams; ++j)
    if (rows[static_cast<size_t>(j)].score != kDead) alive.push_back(j);

  // Perturbed scores of every child of every live beam, drawn in row order from the prompt's
  // own stream.
  const auto count = static_cast<int64_t>(alive.size());
  auto parents = at::tensor(alive, at::kLong);
  std::vector<double> phi_parent, key_parent;
  for (auto j : alive) {
    phi_parent.push_back(rows[static_cast<size_t>(j)].score);
    key_parent.push_back(rows[static_cast<size_t>(j)].key);
  }
  auto phi = logp.index_select(0, parents).to(at::kDouble) +
             at::tensor(phi_parent, at::kDouble).unsqueeze(1);  // (a, V)
  auto noise = at::empty({count, vocab}, at::kDouble);          // (a, V)
  auto* n = noise.data_ptr<double>();
  for (int64_t i = 0; i < count * vocab; ++i) n[i] = prompt.stream.gumbel();
  auto g = phi + noise;                                         // (a, V)
  auto z = std::get<0>(g.max(-1, true));                        // (a, 1)
  auto top = at::tensor(key_parent, at::kDouble).unsqueeze(1);  // (a, 1)
  // Children's scores conditioned on their maximum being the parent's: -log(e^-T - e^-Z + e^-g),
  // in the stable form of Kool et al.'s appendix.
  auto x = g - z;  // (a, V), <= 0
  auto log1mexp = at::where(x > -std::log(2.0), at::log(-at::expm1(x)), at::log1p(-at::exp(x)));
  auto u = top - g + log1mexp;                                  // (a, V)
  auto key = top - at::relu(u) - at::log1p(at::exp(-u.abs()));  // (a, V)
  key.masked_fill_(at::isinf(phi), kDead);

  auto best = at::topk(key.reshape({-1}), std::min<int64_t>(room, count * vocab));
  auto best_key = std::get<0>(best).contiguous();
  auto best_index = std::get<1>(best).contiguous();
  const auto* k = best_key.data_ptr<double>();
  const auto* index = best_index.data_ptr<int64_t>();
  const auto phi_of = phi.accessor<double, 2>();
  const auto logprob_of = logp.accessor<float, 2>();
  std::vector<Choice> chosen;
  for (int64_t r = 0; r < best_key.size(0); ++r) {
    if (std::isinf(k[r])) break;
    const int64_t a = index[r] / vocab, token = index[r] % vocab;
    const int64_t parent = alive[static_cast<size_t>(a)];
    const auto& parent_row = rows[static_cast<size_t>(parent)];
    const float token_logprob = logprob_of[parent][token];
    auto reason = context.stop.stop_if_appended(history[static_cast<size_t>(parent)], token);
    if (reason) {
      auto h = make_hypothesis(history[static_cast<size_t>(parent)], parent_row, token,
                               token_logprob, phi_of[a][token], k[r], *reason);
      extend_steps(h.trace, h.top, parent, token);
      finished.add(std::move(h));
      continue;
    }
    RowState next{phi_of[a][token], k[r], parent_row.logprobs, parent_row.trace, parent_row.top};
    next.logprobs.push_back(token_logprob);
    extend_steps(next.trace, next.top, parent, token);
    chosen.push_back({parent, token, std::move(next)});
  }
  const bool any_live = !chosen.empty();
  while (static_cast<int64_t>(chosen.size()) < beams) chosen.push_back({first, 0, RowState{}});
  prompt.done = !any_live || static_cast<int64_t>(finished.kept.size()) >= beams;
  prompt.group_done[0] = prompt.done;
  return chosen;
}

}  // namespace gpt2
