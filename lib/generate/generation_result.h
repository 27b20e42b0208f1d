#pragma once
// One generated sequence: its tokens, their log-probabilities, the text, and why it stopped.
#include <cstdint>
#include <string>
#include <vector>

namespace gpt2 {

enum class StopReason {
  length,       // max_new_tokens generated
  stop_token,   // end-of-text or another stop id
  stop_string,  // a stop string appeared in the text
  context,      // the model's context is full
};

// "length", "stop_token", "stop_string", "context".
const char* to_string(StopReason reason);

// One generated token's view of the step that chose it (GenerationOptions::trace).
struct TokenTrace {
  double entropy = 0;      // of the model's distribution before the processors, in nats
  int64_t kept = 0;        // tokens with a finite score after the processors
  int64_t nucleus = 0;     // the fewest most likely tokens of the model with mass >= 0.9
  int64_t rank = 0;        // the chosen token's rank under the model (0 = most likely)
  double probability = 0;  // the chosen token's probability under the model
};

// Speculative decoding, one verified block (traced): what the drafter proposed, how many of
// them the model accepted, and the model's own token after them (left out of the result when
// the sequence stopped inside the block).
struct DraftBlock {
  std::vector<int64_t> draft;
  int64_t accepted = 0;
  int64_t token = 0;
};

// Contrastive search, one step (traced): the top_k candidates, most likely first, their model
// confidence p(v) (after the processors), degeneration penalty max_j cosine(h_v, h_j), and
// the token chosen, the one maximising (1 - alpha) confidence - alpha penalty.
struct ContrastiveStep {
  std::vector<int64_t> candidates;
  std::vector<double> confidence, degeneration;
  int64_t chosen = 0;
};

// The K highest processed log-probabilities of one step (generate.output_scores_top_k), best
// first, ties by id; tokens the processors removed (-inf) are left out, so a step may list
// fewer than K.
struct TopLogprobs {
  std::vector<int64_t> ids;
  std::vector<float> logprobs;
};

struct GenerationResult {
  std::vector<int64_t> tokens;  // generated ids; a final stop id is included
  std::vector<float> logprobs;  // per token, under the distribution the strategy picked from
  std::string text;             // generated text without a stop id, cut before a stop string
  StopReason reason = StopReason::length;
  // beam and group_beam: sum of logprobs / length^length_penalty; others: sum of logprobs.
  double score = 0;
  // Hugging Face's compute_transition_scores: per token, the processed score it was picked by
  // (greedy and sampling: the logit after every processor; beams: the processed
  // log-probability, which is `logprobs` again, summing to the score before length penalty).
  std::vector<float> transition_scores;
  std::vector<TokenTrace> trace;  // one per token when tracing, else empty
  // When tracing: speculative decoding's verified blocks, contrastive search's steps (one per
  // token); empty for the other strategies.
  std::vector<DraftBlock> draft_blocks;
  std::vector<ContrastiveStep> contrastive_steps;
  // generate.output_scores_top_k > 0: per token, the step's best processed log-probabilities
  // (greedy and sampling: log-softmax of the processed logits; beams: the processed
  // log-probabilities the beams are extended by, as `transition_scores`).
  std::vector<TopLogprobs> top_logprobs;
  // Speculative decoding: tokens drafted and accepted for this sequence, and the model's
  // verification passes (acceptance = accepted / drafted; tokens per pass = tokens / passes).
  int64_t drafted = 0, accepted = 0, target_passes = 0;
};

// Called as each token is chosen by greedy or sampling; for beam strategies, as each token of
// the best sequence becomes final (the prefix every beam that can still win shares).
struct TokenEvent {
  int64_t prompt_index;  // position in the prompt list given to generate()
  int64_t sample;        // 0 .. num_return_sequences-1
  int64_t token;
  float logprob;
};

}  // namespace gpt2
