#pragma once
// Beam search as Hugging Face defines it: per prompt, num_beams hypotheses; each step the
// processors edit the rows' log-probabilities, and the top max(2, 1 + stop ids) * num_beams
// continuations are scanned in order; a stop id among the first num_beams of them finishes a
// hypothesis with score sum_logprobs / generated_length^length_penalty, where the generated
// length counts the new tokens only, the stop id included (current Hugging Face; older
// versions counted the prompt too); the n best finished ones are returned. early_stopping:
// true = stop once num_beams hypotheses finished; false = once the best running beam cannot
// beat the worst kept one at its current length; never = once it could not at its longest
// (exact for length_penalty > 0). "Best running beam" is current Hugging Face's
// (_check_early_stop_heuristic); the older BeamHypotheses.is_done took the best candidate of
// the step, a just-finished one included, and so sometimes searched a step longer.
//
// Diverse (group) beam search (Vijayakumar et al. 2016) splits the beams into groups decoded
// in turn; a group's log-probabilities are lowered by diversity_penalty times the number of
// times earlier groups chose each token at this step. Groups = 1 is plain beam search.
#include "generate/decode_loop.h"

namespace gpt2 {

class BeamSearch : public SelectionPolicy {
 public:
  std::string name() const override { return "beam"; }

 protected:
  ScoreSpace space() const override { return ScoreSpace::logprobs; }
  // num_beams rows; each group starts from one live beam, so the first step does not pick the
  // same continuation num_beams times.
  std::vector<DecodeRow> start(PromptSearch& prompt, const SearchContext& context) override;
  // Exactly num_beams choices (unused slots not live), group by group; finished continuations
  // go to prompt.finished[group].
  std::vector<Choice> select(PromptSearch& prompt, const DecodeStep& step,
                             const SearchContext& context) override;
  void finish_running(PromptSearch& prompt, int64_t position, DecodeRow row, StopReason reason,
                      const SearchContext& context) override;
  // Streaming: the tokens that every sequence that can still be returned first shares (every
  // live beam, and the best finished hypotheses), from prompt.streamed on; at the end, the
  // rest of the best sequence.
  void stepped(PromptSearch& prompt, const std::vector<DecodeRow>& rows) override;
  void concluded(PromptSearch& prompt, const std::vector<GenerationResult>& results) override;

  // Row `parent` of the step extended by `token`, finished.
  static Hypothesis hypothesis(const DecodeStep& step, int64_t parent, int64_t token, double score,
                               double rank, StopReason reason);
  static double length_normalised(double sum, int64_t length, double penalty);
};

}  // namespace gpt2
