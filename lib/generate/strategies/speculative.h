#pragma once
// Speculative decoding for greedy and sampling (Leviathan et al. 2023, Chen et al. 2023): a
// drafter proposes k tokens, the model verifies them in one pass over k+1 positions, and each
// row keeps the longest acceptable prefix plus one token of the model's own. The drafter is a
// smaller GPT-2 with the same vocabulary (SearchContext::draft) or prompt lookup (n-grams
// copied from the sequence itself, prompt_lookup.h).
//
// Greedy keeps a draft token while it is the model's argmax, so the output is target-only
// greedy token for token. Sampling accepts draft token x with probability min(1, p(x)/q(x))
// and on rejection draws from norm(max(0, p - q)) (one more from p when all k are accepted),
// with p and q the *processed* distributions (the same processors and warpers on both, each
// with its row's history), so the output is distributed as target-only sampling. Prompt lookup
// drafts deterministically: q is one-hot.
//
// Batching: every row drafts and verifies together; rows then advance by different amounts.
// Each model keeps a RaggedBatch (ragged_batch.h): rejected tokens are dropped from a row by
// masking them, like left padding, and the cache is rolled back to the longest row. Invariant
// between rounds: each model has seen a row's tokens but its last few ("pending": one for the
// model, one or two for the draft, which has not seen the draft's last token when all were
// accepted); the next round feeds them first. When the masked columns leave no room for the
// next round, both batches are rebuilt from the rows' tokens.
//
// Results are a function of (prompt, index, seed, config) like every strategy, except that
// near the context's end a batch may draft fewer tokens than a row alone would (draws then
// differ, the distribution does not).
#include "generate/strategies/search_strategy.h"

namespace gpt2 {

// Acceptance over results, for summaries: accepted / drafted and tokens per model pass.
struct SpeculationStats {
  int64_t drafted = 0, accepted = 0, passes = 0, tokens = 0;
  void add(const GenerationResult& r);
  double acceptance() const { return drafted ? double(accepted) / double(drafted) : 0; }
  double tokens_per_pass() const { return passes ? double(tokens) / double(passes) : 0; }
  // "[speculative: 40/60 drafted tokens accepted (66.7%), 2.10 tokens per model pass]\n", or
  // "" without speculation.
  std::string summary() const;
};

class SpeculativeSearch : public SearchStrategy {
 public:
  std::string name() const override { return "speculative"; }
  std::vector<std::vector<GenerationResult>> run(const std::vector<std::vector<int64_t>>& prompts,
                                                 const std::vector<int64_t>& prompt_indices,
                                                 const SearchContext& context) override;
};

}  // namespace gpt2
