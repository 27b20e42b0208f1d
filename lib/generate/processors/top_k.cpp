#include "generate/processors/top_k.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

// As Hugging Face: k is raised to min_tokens_to_keep.
TopKProcessor::TopKProcessor(int64_t k, int64_t min_tokens_to_keep)
    : k_(std::max(k, min_tokens_to_keep)), min_keep_(min_tokens_to_keep) {
  require(k > 0, "top_k must be > 0, got " + std::to_string(k));
  require(min_tokens_to_keep > 0,
          "min_tokens_to_keep must be > 0, got " + std::to_string(min_tokens_to_keep));
}

void TopKProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  int64_t k = std::min(k_, scores.size(-1));
  auto kth = std::get<0>(at::topk(scores, k, -1)).narrow(-1, k - 1, 1);  // (B, 1)
  scores.masked_fill_(scores < kth, -std::numeric_limits<float>::infinity());
}

std::unique_ptr<LogitsProcessor> TopKProcessor::make(const ProcessorContext& context) {
  int64_t k = context.config.processor<TopKOptions>().k;
  return k <= 0 ? nullptr : std::make_unique<TopKProcessor>(k, context.config.min_tokens_to_keep);
}

}  // namespace gpt2
