#pragma once
// The decode loop for strategies that pick one token per row independently (greedy and
// sampling): left-padded prefill, then one token per step through the KV cache; finished rows
// leave the batch so the rest run at their own size.
#include <memory>

#include "generate/random_stream.h"
#include "generate/strategies/search_strategy.h"

namespace gpt2 {

class RowSearch : public SearchStrategy {
 public:
  std::vector<std::vector<GenerationResult>> run(const std::vector<std::vector<int64_t>>& prompts,
                                                 const std::vector<int64_t>& prompt_indices,
                                                 const SearchContext& context) override;

 protected:
  // Picks the next token of each row from processed scores (B, V) float32; streams[b] is row
  // b's random stream. Returns (B) int64.
  virtual at::Tensor pick(const at::Tensor& scores, std::vector<RandomStream*>& streams) = 0;
};

}  // namespace gpt2
