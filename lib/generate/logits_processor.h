#pragma once
// A logits processor reshapes next-token scores before a strategy picks from them: penalties
// and constraints edit a few entries, warpers (temperature, top-k, ...) reshape the whole
// distribution. Processors are small classes registered by name in processor_registry.cpp.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gpt2 {

struct GenerateConfig;

// The tokens of one row so far: the prompt, then what was generated (no padding).
struct TokenHistory {
  std::vector<int64_t> tokens;
  int64_t prompt_length = 0;
  int64_t generated() const { return static_cast<int64_t>(tokens.size()) - prompt_length; }
};

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  virtual std::string name() const = 0;
  // scores: (B, V) float32 next-token logits, row b belonging to rows[b]; edited in place.
  virtual void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const = 0;
};

// What factories read: the typed config plus ids the caller resolved (stop ids, banned words).
struct ProcessorContext {
  const GenerateConfig& config;
  int64_t vocab_size = 0;
  std::vector<int64_t> stop_ids;
  std::vector<std::vector<int64_t>> banned;        // banned token sequences
  std::vector<std::vector<int64_t>> dry_breakers;  // DRY sequence breakers, as token sequences
};

// Sets scores[row, id] = -inf for each id.
void ban_tokens(at::Tensor& scores, int64_t row, const std::vector<int64_t>& ids);

// Sets the entries of `remove` (B, V) bool to -inf, but never a row's most likely token(s), so
// every row keeps at least one candidate.
void remove_keeping_top(at::Tensor& scores, const at::Tensor& remove);

}  // namespace gpt2
