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
#include <limits>
#include <optional>

#include "generate/random_stream.h"
#include "generate/step_trace.h"
#include "generate/strategies/search_strategy.h"
#include "generate/top_logprobs.h"

namespace gpt2 {

class BeamSearch : public SearchStrategy {
 public:
  std::string name() const override { return "beam"; }
  std::vector<std::vector<GenerationResult>> run(const std::vector<std::vector<int64_t>>& prompts,
                                                 const std::vector<int64_t>& prompt_indices,
                                                 const SearchContext& context) override;

 protected:
  static constexpr double kDead = -std::numeric_limits<double>::infinity();

  struct RowState {        // one beam
    double score = kDead;  // sum of (penalised) log-probabilities; kDead = unused slot
    double key = kDead;    // stochastic beam: the perturbed score it is ranked by
    std::vector<float> logprobs;
    std::vector<TokenTrace> trace;  // when tracing
    std::vector<TopLogprobs> top;   // when output_scores_top_k > 0
  };
  struct Choice {    // one beam of the next step
    int64_t parent;  // absolute row it extends
    int64_t token;
    RowState state;
  };
  struct Hypothesis {
    std::vector<int64_t> tokens;  // generated
    std::vector<float> logprobs;
    double score;  // what results report
    double rank;   // what results are ordered by
    StopReason reason;
    std::vector<TokenTrace> trace;  // when tracing
    std::vector<TopLogprobs> top;   // when output_scores_top_k > 0
  };
  // Finished hypotheses of one group: the best `capacity` by rank.
  struct HypothesisSet {
    size_t capacity = 1;
    std::vector<Hypothesis> kept;
    void add(Hypothesis h);
    double worst() const;
  };
  struct PromptState {
    int64_t prompt_index = 0;
    int64_t prompt_length = 0;
    std::vector<HypothesisSet> groups;
    std::vector<bool> group_done;
    RandomStream stream{0, 0};
    bool done = false;
    size_t streamed = 0;  // tokens of the best sequence given to on_token
  };

  // Whether processed log-probabilities are log-softmaxed again before the search sees them
  // (stochastic beam search samples, so it needs a distribution).
  virtual bool renormalises() const { return false; }
  // Scores of the beams of a fresh prompt (all K rows hold the prompt).
  virtual void initialise(PromptState& prompt, std::vector<RowState>& rows,
                          const SearchContext& context) const;
  // Chooses the K next beams of one prompt, whose rows are [first, first + K) of logp (R, V);
  // finished continuations go to prompt.groups. Returns exactly K choices (dead ones with
  // score kDead).
  virtual std::vector<Choice> select(PromptState& prompt, int64_t first, const at::Tensor& logp,
                                     const std::vector<RowState>& rows,
                                     const std::vector<TokenHistory>& history, int64_t generated,
                                     const SearchContext& context) const;
  // Adds a running beam as a finished hypothesis (max length or context reached).
  virtual void finish_running(PromptState& prompt, int64_t group, const RowState& row,
                              const TokenHistory& history, StopReason reason,
                              const SearchContext& context) const;

  // The hypothesis for `history` + `token` (token < 0: history as it is).
  static Hypothesis make_hypothesis(const TokenHistory& history, const RowState& row, int64_t token,
                                    float logprob, double sum, double rank, StopReason reason);
  static double length_normalised(double sum, int64_t length, double penalty);
  // Appends what choosing `token` in row `parent` looked like, when tracing, and the parent
  // row's best processed log-probabilities, when output_scores_top_k > 0.
  void extend_steps(std::vector<TokenTrace>& trace, std::vector<TopLogprobs>& top, int64_t parent,
                    int64_t token) const {
    if (step_trace_) trace.push_back(step_trace_->at(parent, token));
    if (!step_top_.empty()) top.push_back(step_top_[static_cast<size_t>(parent)]);
  }

 private:
  // Streaming: gives on_token the tokens that every sequence that can still be returned first
  // shares (every live beam, and the best finished hypotheses), from prompt.streamed on.
  static void stream_final_prefix(PromptState& prompt, const std::vector<Choice>& chosen,
                                  const std::vector<TokenHistory>& chosen_history,
                                  const SearchContext& context);

  std::optional<StepTrace> step_trace_;  // this step's, when tracing
  std::vector<TopLogprobs> step_top_;    // this step's, per row, when output_scores_top_k > 0
};

}  // namespace gpt2
