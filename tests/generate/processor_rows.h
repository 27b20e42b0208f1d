#pragma once
// Shared by the processor tests: a sampling config, the 4-token distribution most cases start
// from, and checks of a processed row.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "generate/generate_config.h"

namespace gpt2::test {

inline GenerateConfig sampling(int64_t min_tokens_to_keep = 1) {
  GenerateConfig c;
  c.strategy = "sample";
  c.min_tokens_to_keep = min_tokens_to_keep;
  return c;
}

inline const std::vector<float> kProbs = {0.1f, 0.2f, 0.3f, 0.4f};

inline std::vector<float> log_of(std::vector<float> probs) {
  for (auto& p : probs) p = std::log(p);
  return probs;
}

// softmax of the processed scores equals `expected` (zeros where tokens were removed).
inline void check_probs(const std::vector<float>& scores, const std::vector<float>& expected) {
  auto probs = at::tensor(scores, at::kFloat).softmax(0).contiguous();
  REQUIRE(probs.numel() == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("token " << i);
    CHECK(probs[static_cast<int64_t>(i)].item<float>() == Approx(expected[i]).margin(1e-6));
  }
}

}  // namespace gpt2::test
