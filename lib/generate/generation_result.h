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

struct GenerationResult {
  std::vector<int64_t> tokens;  // generated ids; a final stop id is included
  std::vector<float> logprobs;  // per token, under the distribution the strategy picked from
  std::string text;             // generated text without a stop id, cut before a stop string
  StopReason reason = StopReason::length;
  // beam and group_beam: sum of logprobs / length^length_penalty; others: sum of logprobs.
  double score = 0;
  // Speculative decoding: tokens drafted and accepted for this sequence, and the model's
  // verification passes (acceptance = accepted / drafted; tokens per pass = tokens / passes).
  int64_t drafted = 0, accepted = 0, target_passes = 0;
};

// Called as each token is chosen by greedy or sampling (beams are only known at the end).
struct TokenEvent {
  int64_t prompt_index;  // position in the prompt list given to generate()
  int64_t sample;        // 0 .. num_return_sequences-1
  int64_t token;
  float logprob;
};

}  // namespace gpt2
