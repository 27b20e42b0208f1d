#include "generate/strategies/stochastic_beam.h"

#include <ATen/ATen.h>

#include <cmath>

namespace gpt2 {

std::vector<DecodeRow> StochasticBeamSearch::start(PromptSearch& prompt,
                                                   const SearchContext& context) {
  // The root has log-probability 0 and perturbed score 0; the other slots start empty.
  std::vector<DecodeRow> rows(static_cast<size_t>(context.config.num_beams));
  for (size_t j = 0; j < rows.size(); ++j) {
    rows[j].live = j == 0;
    rows[j].score = rows[j].key = rows[j].live ? 0.0 : kDeadScore;
  }
  prompt.finished.assign(1, {rows.size(), {}});
  prompt.group_done.assign(1, false);
  prompt.streams.emplace_back(context.seed, static_cast<uint64_t>(prompt.index));
  return rows;
}

void StochasticBeamSearch::finish_running(PromptSearch& prompt, int64_t, DecodeRow row,
                                          StopReason reason, const SearchContext&) {
  row.sequence.score = row.score;
  row.sequence.reason = reason;
  prompt.finished[0].add({std::move(row.sequence), row.key});
}

std::vector<Choice> StochasticBeamSearch::select(PromptSearch& prompt, const DecodeStep& step,
                                                 const SearchContext& context) {
  const int64_t beams = context.config.num_beams, vocab = step.scores().size(1);
  const int64_t first = prompt.first;
  auto& finished = prompt.finished[0];
  const int64_t room = beams - static_cast<int64_t>(finished.kept.size());
  std::vector<int64_t> alive;
  for (int64_t j = first; j < first + beams; ++j)
    if (step.row(j).live) alive.push_back(j);

  // Perturbed scores of every child of every live beam, drawn in row order from the prompt's
  // own stream.
  const auto count = static_cast<int64_t>(alive.size());
  auto parents = at::tensor(alive, at::kLong);
  std::vector<double> phi_parent, key_parent;
  for (auto j : alive) {
    phi_parent.push_back(step.row(j).score);
    key_parent.push_back(step.row(j).key);
  }
  auto phi = step.scores().index_select(0, parents).to(at::kDouble) +
             at::tensor(phi_parent, at::kDouble).unsqueeze(1);  // (a, V)
  auto noise = at::empty({count, vocab}, at::kDouble);          // (a, V)
  auto* n = noise.data_ptr<double>();
  for (int64_t i = 0; i < count * vocab; ++i) n[i] = prompt.streams[0].gumbel();
  auto g = phi + noise;                                         // (a, V)
  auto z = std::get<0>(g.max(-1, true));                        // (a, 1)
  auto top = at::tensor(key_parent, at::kDouble).unsqueeze(1);  // (a, 1)
  // Children's scores conditioned on their maximum being the parent's: -log(e^-T - e^-Z + e^-g),
  // in the stable form of Kool et al.'s appendix.
  auto x = g - z;  // (a, V), <= 0
  auto log1mexp = at::where(x > -std::log(2.0), at::log(-at::expm1(x)), at::log1p(-at::exp(x)));
  auto u = top - g + log1mexp;                                  // (a, V)
  auto key = top - at::relu(u) - at::log1p(at::exp(-u.abs()));  // (a, V)
  key.masked_fill_(at::isinf(phi), kDeadScore);

  auto best = at::topk(key.reshape({-1}), std::min<int64_t>(room, count * vocab));
  auto best_key = std::get<0>(best).contiguous();
  auto best_index = std::get<1>(best).contiguous();
  const auto* k = best_key.data_ptr<double>();
  const auto* index = best_index.data_ptr<int64_t>();
  const auto phi_of = phi.accessor<double, 2>();
  std::vector<Choice> chosen;
  for (int64_t r = 0; r < best_key.size(0); ++r) {
    if (std::isinf(k[r])) break;
    const int64_t a = index[r] / vocab, token = index[r] % vocab;
    const int64_t parent = alive[static_cast<size_t>(a)];
    if (auto reason = context.stop.stop_if_appended(step.history(parent), token)) {
      finished.add(hypothesis(step, parent, token, phi_of[a][token], k[r], *reason));
      continue;
    }
    chosen.push_back({parent, token, phi_of[a][token], k[r], true});
  }
  const bool any_live = !chosen.empty();
  while (static_cast<int64_t>(chosen.size()) < beams)
    chosen.push_back({first, 0, kDeadScore, kDeadScore, false});
  prompt.done = !any_live || static_cast<int64_t>(finished.kept.size()) >= beams;
  prompt.group_done[0] = prompt.done;
  return chosen;
}

}  // namespace gpt2
