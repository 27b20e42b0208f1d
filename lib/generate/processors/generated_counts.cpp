#include "generate/processors/generated_counts.h"

#include <ATen/ATen.h>

#include <map>

namespace gpt2 {

void subtract_by_generated_count(at::Tensor& scores, const std::vector<TokenHistory>& rows,
                                 const std::function<double(int64_t)>& amount) {
  for (size_t b = 0; b < rows.size(); ++b) {
    std::map<int64_t, int64_t> counts;
    const auto& tokens = rows[b].tokens;
    for (size_t i = static_cast<size_t>(rows[b].prompt_length); i < tokens.size(); ++i)
      ++counts[tokens[i]];
    if (counts.empty()) continue;
    std::vector<int64_t> ids;
    std::vector<double> amounts;
    for (const auto& [token, count] : counts) {
      ids.push_back(token);
      amounts.push_back(-amount(count));
    }
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    row.index_add_(0, at::tensor(ids, at::kLong).to(scores.device()),
                   at::tensor(amounts, at::kDouble).to(scores.options()));
  }
}

}  // namespace gpt2
