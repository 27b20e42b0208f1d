#include "generate/strategies/greedy.h"

#include <ATen/ATen.h>

#include "kernels/row_functions.h"

namespace gpt2 {

at::Tensor GreedySearch::pick(const at::Tensor& scores, std::vector<RandomStream*>&) {
  return argmax_rows(scores);  // (B); the first index among ties
}

}  // namespace gpt2
