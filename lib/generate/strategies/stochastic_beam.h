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
  ScoreSpace space() const override { return ScoreSpace::renormalised_logprobs; }
  std::vector<DecodeRow> start(PromptSearch& prompt, const SearchContext& context) override;
  std::vector<Choice> select(PromptSearch& prompt, const DecodeStep& step,
                             const SearchContext& context) override;
  void finish_running(PromptSearch& prompt, int64_t position, DecodeRow row, StopReason reason,
                      const SearchContext& context) override;
};

}  // namespace gpt2
