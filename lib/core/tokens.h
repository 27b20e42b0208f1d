#pragma once
// Token-level conventions shared by data, model, training and evaluation.
#include <cstdint>

namespace gpt2 {

// A target that does not count in a loss or a score (PyTorch's and Hugging Face's value).
constexpr int64_t kIgnoreIndex = -100;

}  // namespace gpt2
