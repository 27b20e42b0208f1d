// Training FLOPs per token (train/flops.h) on a config small enough to count by hand.
#include <catch2/catch.hpp>

#include "tiny_model_config.h"
#include "train/flops.h"

using namespace gpt2;

TEST_CASE("training FLOPs per token: 6 per weight, 4 per frozen one beside an adapter") {
  ModelConfig c = test::tiny_model_config(10, 8, 4, 1, 1);  // V 10, C 4, one block, inner 16
  // Weights that multiply activations: attention 4 C^2 = 64, MLP 2 C inner = 128, head V C = 40.
  const double weights = 64 + 128 + 40;
  const double attention = 12.0 * 1 * 4 * 8;  // 12 L C T
  CHECK(training_flops_per_token(c, 8) == 6 * weights + attention);
  // LoRA with 10 trained weights: the base costs forward + input gradient, the adapter all 6.
  CHECK(training_flops_per_token(c, 8, 10) == 4 * weights + 6 * 10 + attention);
  CHECK(training_flops_per_token(c, 8, 0) == 4 * weights + attention);
}
