#pragma once
// The stopping policy: a sequence ends at a stop id (end-of-text unless ignored, plus
// stop_ids), when its text contains a stop string (also one spanning several tokens), after
// max_new_tokens, or when the model's context is full.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "generate/generation_result.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Token ids to text; needed for stop strings and result text.
using Detokenizer = std::function<std::string(const std::vector<int64_t>&)>;

struct StopSettings {
  int64_t max_new_tokens = 128;
  std::vector<int64_t> stop_ids;
  std::vector<std::string> stop_strings;
  int64_t context_length = 0;  // 0 = unlimited
};

class StopPolicy {
 public:
  StopPolicy(StopSettings settings, Detokenizer decode);

  // Why `row` ends now that its latest token was appended; nullopt when it goes on.
  std::optional<StopReason> check(const TokenHistory& row) const;
  bool is_stop_id(int64_t token) const;
  bool has_stop_strings() const { return !settings_.stop_strings.empty(); }
  // True when the generated text contains a stop string.
  bool hits_stop_string(const TokenHistory& row) const;
  // Whether `row` has reached max_new_tokens or the model's context (check()'s limits alone).
  std::optional<StopReason> limit_reached(const TokenHistory& row) const;
  // The most tokens a sequence with this prompt can generate (max_new_tokens or the context).
  int64_t longest(int64_t prompt_length) const;
  // Beam candidates: whether appending `token` to `row` would end it on a stop id or a stop
  // string (limit_reached() covers length and context); nullopt when it would go on.
  std::optional<StopReason> stop_if_appended(const TokenHistory& row, int64_t token) const;
  // The text of a finished sequence: a final stop id left out, cut before a stop string.
  // Empty when there is no detokenizer.
  std::string final_text(const std::vector<int64_t>& generated, StopReason reason) const;

  const StopSettings& settings() const { return settings_; }

 private:
  StopSettings settings_;
  Detokenizer decode_;
};

// A stop string as typed on a command line (--stop "\n\nQ:"): a shell passes backslash-n;
// \n, \t and \\ stand for newline, tab and backslash, everything else is taken as typed.
std::string unescape_stop_string(const std::string& text);

}  // namespace gpt2
