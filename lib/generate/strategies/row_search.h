#pragma once
// The selection policy of strategies that pick one token per row independently (greedy and
// sampling): num_return_sequences rows per prompt, each extended by itself, each leaving the
// batch when it stops (the decode loop, decode_loop.h, runs the rest at their own size).
#include "generate/decode_loop.h"

namespace gpt2 {

class RowSearch : public SelectionPolicy {
 protected:
  // Picks the next token of each row from processed scores (B, V) float32; streams[b] is row
  // b's random stream. Returns (B) int64.
  virtual at::Tensor pick(const at::Tensor& scores, std::vector<RandomStream*>& streams) = 0;

  ScoreSpace space() const override { return ScoreSpace::logits; }
  std::vector<DecodeRow> start(PromptSearch& prompt, const SearchContext& context) override;
  std::vector<Choice> select(PromptSearch& prompt, const DecodeStep& step,
                             const SearchContext& context) override;
  void finish_running(PromptSearch& prompt, int64_t position, DecodeRow row, StopReason reason,
                      const SearchContext& context) override;
};

}  // namespace gpt2
