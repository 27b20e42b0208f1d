#include "generate/logits_processor.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace gpt2 {

std::vector<int64_t> checked_token_ids(const std::vector<int64_t>& ids, int64_t vocab_size,
                                       const std::string& field) {
  for (auto id : ids)
    require(id >= 0 && id < vocab_size, "generate." + field + ": token id " + std::to_string(id) +
                                            " is outside the vocabulary (size " +
                                            std::to_string(vocab_size) + ")");
  return ids;
}

void ban_tokens(at::Tensor& scores, int64_t row, const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  auto index = at::tensor(ids, at::kLong).to(scores.device());  // (n)
  scores.select(0, row).index_fill_(0, index, -std::numeric_limits<float>::infinity());
}

void remove_keeping_top(at::Tensor& scores, const at::Tensor& remove, int64_t keep) {
  const int64_t k = std::min(keep, scores.size(-1));
  auto kth = std::get<0>(at::topk(scores, k, -1)).narrow(-1, k - 1, 1);  // (B, 1)
  scores.masked_fill_(remove & (scores < kth), -std::numeric_limits<float>::infinity());
}

bool completes_sequence(const std::vector<int64_t>& tokens, const std::vector<int64_t>& sequence) {
  if (sequence.size() == 1) return true;
  if (sequence.empty() || sequence.size() > tokens.size()) return false;
  const size_t before = sequence.size() - 1;  // tokens that must already be there
  return std::equal(sequence.begin(), sequence.end() - 1, tokens.end() - before);
}

}  // namespace gpt2
