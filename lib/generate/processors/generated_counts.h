#pragma once
// Shared by the frequency and presence penalties (OpenAI's definitions): both subtract an
// amount that depends on how often a token occurs among a row's generated tokens.
#include <functional>
#include <vector>

#include "generate/logits_processor.h"

namespace gpt2 {

// For each row b and each token t generated so far (the prompt does not count) with count c,
// scores[b][t] -= amount(c).
void subtract_by_generated_count(at::Tensor& scores, const std::vector<TokenHistory>& rows,
                                 const std::function<double(int64_t)>& amount);

}  // namespace gpt2
