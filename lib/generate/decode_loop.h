#pragma once
// The one decode loop of the strategies that extend rows one token a step (greedy, sampling,
// beam search with or without groups, stochastic beam search). The loop owns the prefill, the
// step's processing (processors, traces, output_scores_top_k), the model's row selection as
// rows finish or beams reorder, the stop checks, streaming and the results; a strategy is a
// SelectionPolicy that, given the step's processed scores, says which rows go on as (parent
// row, token, score), which sequences finished, and when a prompt is done. Row policies
// (greedy, sampling) extend each row by itself; beam policies choose among every row's
// continuations. Contrastive search and speculative decoding need hidden states or verify
// several tokens a step, and keep their own loops.
#include <ATen/core/Tensor.h>

#include <limits>
#include <optional>
#include <vector>

#include "generate/random_stream.h"
#include "generate/step_trace.h"
#include "generate/strategies/search_strategy.h"

namespace gpt2 {

constexpr double kDeadScore = -std::numeric_limits<double>::infinity();

// One row of the batch besides its tokens (TokenHistory): what it generated so far and the
// policy's scores.
struct DecodeRow {
  GenerationResult sequence;  // generated tokens, logprobs, transition scores, traces, top
  double score = kDeadScore;  // the policy's running score (beams: sum of log-probabilities)
  double key = kDeadScore;    // stochastic beam: the perturbed score it is ranked by
  int64_t sample = 0;         // row policies: which of the prompt's sequences the row is
  bool live = true;           // false: an unused beam slot, kept so a prompt's block keeps size
};

// One row of the next step, chosen by a policy: row `parent` of this step extended by `token`.
struct Choice {
  int64_t parent = 0;  // a row of this step (absolute); row policies: the row itself
  int64_t token = 0;
  double score = kDeadScore;
  double key = kDeadScore;
  bool live = true;
};

// A finished sequence and what results are ordered by (best first; ties keep their order).
struct Hypothesis {
  GenerationResult result;
  double rank = 0;
};

// The best `capacity` finished hypotheses of one group (a beam group, or one sample).
struct HypothesisSet {
  size_t capacity = 1;
  std::vector<Hypothesis> kept;
  void add(Hypothesis h);
  double worst() const;
};

// One prompt being decoded; its rows are [first, first + count) of the step.
struct PromptSearch {
  int64_t index = 0;  // position in the whole job: seeds the prompt's random streams
  int64_t prompt_length = 0;
  int64_t first = 0, count = 0;
  bool done = false;
  std::vector<HypothesisSet> finished;   // beams: one per group; row policies: one per sample
  std::vector<bool> group_done;          // beams
  std::vector<RandomStream> streams;     // sampling: one per sample; stochastic beam: one
  size_t streamed = 0;                   // beams: tokens of the best sequence marked final
  std::vector<TokenEvent> final_tokens;  // for on_token, in order; the loop sends them
};

// What the processors see and what a token's log-probability is.
enum class ScoreSpace {
  logits,    // greedy, sampling: processed logits; log-probability = log_softmax of them
  logprobs,  // beams (as Hugging Face): processed log_softmax(logits), used as they are
  renormalised_logprobs,  // stochastic beam: the same, log-softmaxed again (a distribution)
};

// One step as a policy sees it: every row's processed scores, tokens and state. A policy reads
// its own prompt's rows only: the loop moves each prompt's rows on once it has chosen.
class DecodeStep {
 public:
  // Processes logits (R, V) in `space`; traces and top log-probabilities when asked.
  DecodeStep(at::Tensor logits, ScoreSpace space, const std::vector<TokenHistory>& histories,
             const std::vector<DecodeRow>& rows, const SearchContext& context);

  const at::Tensor& processed() const { return processed_; }  // (R, V) float32, model device
  const at::Tensor& scores() const { return scores_; }        // (R, V) the same on the CPU
  const TokenHistory& history(int64_t row) const { return histories_[static_cast<size_t>(row)]; }
  const DecodeRow& row(int64_t row) const { return rows_[static_cast<size_t>(row)]; }
  int64_t generated() const { return generated_; }  // tokens each row has after this step
  float logprob(int64_t row, int64_t token) const;
  // Appends `token`, picked in `row`, to `sequence`: its log-probability, transition score,
  // trace and top log-probabilities.
  void append(GenerationResult& sequence, int64_t row, int64_t token) const;
  // Row `row`'s sequence extended by `token`.
  GenerationResult extended(int64_t row, int64_t token) const;

 private:
  const std::vector<TokenHistory>& histories_;
  const std::vector<DecodeRow>& rows_;
  int64_t generated_;
  at::Tensor processed_, scores_;
  std::vector<float> log_norm_;  // ScoreSpace::logits: per row, logsumexp of the processed
  std::optional<StepTrace> trace_;
  std::vector<TopLogprobs> top_;
};

class SelectionPolicy : public SearchStrategy {
 public:
  // The decode loop.
  std::vector<std::vector<GenerationResult>> run(const std::vector<std::vector<int64_t>>& prompts,
                                                 const std::vector<int64_t>& prompt_indices,
                                                 const SearchContext& context) final;

 protected:
  virtual ScoreSpace space() const = 0;
  // A fresh prompt's rows (each holds the prompt); sets up prompt.finished and its streams.
  virtual std::vector<DecodeRow> start(PromptSearch& prompt, const SearchContext& context) = 0;
  // The prompt's rows of the next step; finished sequences go to prompt.finished. Sets
  // prompt.done when the prompt needs no more steps (the loop also ends it when no row is
  // live or every live row reached a length limit).
  virtual std::vector<Choice> select(PromptSearch& prompt, const DecodeStep& step,
                                     const SearchContext& context) = 0;
  // A live row reached max_new_tokens or the context end; `position` is its place in the
  // prompt's block.
  virtual void finish_running(PromptSearch& prompt, int64_t position, DecodeRow row,
                              StopReason reason, const SearchContext& context) = 0;
  // Streaming (called only when there is an on_token): after a step of a prompt that goes on,
  // with its new rows, and once its results (best first) are assembled, the policy may add
  // tokens that became final to prompt.final_tokens.
  virtual void stepped(PromptSearch&, const std::vector<DecodeRow>&) {}
  virtual void concluded(PromptSearch&, const std::vector<GenerationResult>&) {}
};

}  // namespace gpt2
