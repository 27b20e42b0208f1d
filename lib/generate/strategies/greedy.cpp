#include "generate/strategies/greedy.h"

#include <ATen/ATen.h>

namespace gpt2 {

at::Tensor GreedySearch::pick(const at::Tensor& scores, std::vector<RandomStream*>&) {
  return scores.argmax(-1);  // (B); the first index among ties
}

}  // namespace gpt2
