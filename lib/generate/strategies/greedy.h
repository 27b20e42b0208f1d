#pragma once
// Greedy search: the most likely token at every step.
#include "generate/strategies/row_search.h"

namespace gpt2 {

class GreedySearch : public RowSearch {
 public:
  std::string name() const override { return "greedy"; }

 protected:
  at::Tensor pick(const at::Tensor& scores, std::vector<RandomStream*>& streams) override;
};

}  // namespace gpt2
