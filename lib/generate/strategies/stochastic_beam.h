#pragma once
// Stochastic beam search (Kool, van Hoof & Welling 2019, "Gumbel-top-k"): beam search over
// Gumbel-perturbed log-probabilities, where each child's perturbation is conditioned on its
// parent's, so the num_beams sequences kept are a sample without replacement from the
// (processed) sequence distribution. Results are ordered by perturbed score; the reported
// score is the sequence's log-probability. Length penalty does not apply.
#include "generate/strategies/beam_search.h"

namespace gpt2 {

class StochasticBeamSearch : public BeamSearch {
 public:
  std::string name() const override { return "stochastic_beam"; }

 protected:
  bool renormalises() const override { return true; }
  void initialise(PromptState& prompt, std::vector<RowState>& rows,
                  const SearchContext& context) const override;
  std::vector<Choice> select(PromptState& prompt, int64_t first, const at::Tensor& logp,
                             const std::vector<RowState>& rows,
                             const std::vector<TokenHistory>& history, int64_t generated,
                             const SearchContext& context) const override;
  void finish_running(PromptState& prompt, int64_t group, const RowState& row,
                      const TokenHistory& history, StopReason reason,
                      const SearchContext& context) const override;
};

}  // namespace gpt2
