#pragma once
// Contrastive search (Su et al. 2022, Hugging Face's penalty_alpha / top_k): of the top_k most
// likely next tokens v, take the one maximising
//   (1 - alpha) p(v) - alpha max_j cosine(h_v, h_j),
// where h_v is the model's last hidden state (after the final LayerNorm) with v appended and
// h_j those of every earlier token of the row (padding excluded). Each step runs the k
// candidates of every row as one batch of B*k rows; the chosen candidate's logits and cache
// are kept, so a step costs one forward pass of B*k single tokens.
#include "generate/strategies/search_strategy.h"

namespace gpt2 {

class ContrastiveSearch : public SearchStrategy {
 public:
  std::string name() const override { return "contrastive"; }
  std::vector<std::vector<GenerationResult>> run(const std::vector<std::vector<int64_t>>& prompts,
                                                 const std::vector<int64_t>& prompt_indices,
                                                 const SearchContext& context) override;
};

}  // namespace gpt2
