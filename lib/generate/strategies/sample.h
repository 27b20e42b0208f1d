#pragma once
// Ancestral sampling from the processed distribution (temperature, top-k, top-p, typical,
// min-p, epsilon and eta are processors in front of it), one random stream per sequence.
#include "generate/strategies/row_search.h"

namespace gpt2 {

class SampleSearch : public RowSearch {
 public:
  std::string name() const override { return "sample"; }
  // One index per row drawn from softmax(scores), scores (B, V), with streams[b]. Returns (B).
  static at::Tensor draw(const at::Tensor& scores, std::vector<RandomStream*>& streams);

 protected:
  at::Tensor pick(const at::Tensor& scores, std::vector<RandomStream*>& streams) override {
    return draw(scores, streams);
  }
};

}  // namespace gpt2
