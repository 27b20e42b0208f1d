// The llm.c way: trust comes from comparing against a reference. Every directory under the
// golden root holds a tiny GPT-2 in the Hugging Face layout and expected.safetensors with
// logits and greedy tokens computed independently in float64.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gpt2;

namespace {

std::vector<std::string> golden_dirs() {
  std::string root = test::data_path("GPT2_GOLDEN_DIR", "golden");
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(root))
    if (fs::exists(entry.path() / "expected.safetensors")) dirs.push_back(entry.path().string());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Greedy decoding one token at a time through the KV cache.
std::vector<int64_t> greedy_with_cache(GPT2LMHeadModelImpl& model, const at::Tensor& prompt,
                                       int64_t new_tokens) {
  auto cache = model.new_cache(1, prompt.numel() + new_tokens);
  ForwardArgs args;
  args.cache = &cache;
  args.last_logits_only = true;
  auto input = prompt.view({1, -1});  // (1, P)
  std::vector<int64_t> out;
  for (int64_t i = 0; i < new_tokens; ++i) {
    auto logits = model.forward(input, args).logits;  // (1, 1, V)
    int64_t next = logits.argmax(-1).item<int64_t>();
    out.push_back(next);
    input = at::full({1, 1}, next, at::kLong);  // (1, 1)
  }
  return out;
}

}  // namespace

TEST_CASE("golden models: logits, cached greedy decoding, cached == uncached") {
  auto dirs = golden_dirs();
  REQUIRE(!dirs.empty());
  at::NoGradGuard no_grad;
  for (const auto& dir : dirs) {
    SECTION("golden " + fs::path(dir).filename().string()) {
      INFO("golden dir " << dir);
      auto model = load_model_dir(dir);
      model->eval();
      SafetensorsFile expected(dir + "/expected.safetensors");
      auto input_ids = expected.tensor("input_ids");  // (2, n_positions)
      auto reference = expected.tensor("logits");     // (2, n_positions, V)

      auto logits = model->forward(input_ids).logits;  // (2, n_positions, V)
      REQUIRE(logits.sizes() == reference.sizes());
      double max_error = (logits - reference).abs().max().item<double>();
      INFO("max |logits - reference| = " << max_error);
      CHECK(max_error < 1e-4);

      auto prompt = expected.tensor("greedy_prompt");  // (P)
      auto tokens = expected.tensor("greedy_tokens");  // (N)
      auto greedy = greedy_with_cache(*model, prompt, tokens.numel());
      std::vector<int64_t> want(tokens.data_ptr<int64_t>(),
                                tokens.data_ptr<int64_t>() + tokens.numel());
      CHECK(greedy == want);

      // The same sequence scored in one pass and one token at a time through the cache.
      auto sequence = input_ids.narrow(0, 0, 1);    // (1, T)
      auto full = model->forward(sequence).logits;  // (1, T, V)
      auto cache = model->new_cache(1, sequence.size(1));
      ForwardArgs args;
      args.cache = &cache;
      std::vector<at::Tensor> steps;
      steps.push_back(model->forward(sequence.narrow(1, 0, 5), args).logits);  // (1, 5, V)
      for (int64_t t = 5; t < sequence.size(1); ++t)
        steps.push_back(model->forward(sequence.narrow(1, t, 1), args).logits);  // (1, 1, V)
      double cache_error = (at::cat(steps, 1) - full).abs().max().item<double>();
      double scale = full.abs().max().item<double>();
      INFO("max |cached - uncached| = " << cache_error << ", max |logit| = " << scale);
      // Equal up to float32 round-off: different matmul shapes sum in different orders.
      CHECK(cache_error <= 4e-6 * scale);
    }
  }
}

TEST_CASE(
    "golden tiny-gpt2 with bf16/f16/int8 product weights: logits near fp32, its greedy tokens") {
  const std::string dir = test::golden_model_dir();
  at::NoGradGuard no_grad;
  const auto config = read_hf_config(dir + "/config.json");
  auto reference_model = load_model_dir(dir, config);
  reference_model->eval();
  SafetensorsFile expected(dir + "/expected.safetensors");
  auto input_ids = expected.tensor("input_ids");                // (2, n_positions)
  auto prompt = expected.tensor("greedy_prompt");               // (P)
  auto tokens = expected.tensor("greedy_tokens");               // (N)
  auto reference = reference_model->forward(input_ids).logits;  // (2, n_positions, V)
  const auto reference_greedy = greedy_with_cache(*reference_model, prompt, tokens.numel());
  // Unit roundoff of each format: 2^-8 for bf16 (8 significant bits), 2^-11 for f16; for int8
  // half a step relative to the column's largest |W|, 1/254.
  for (auto [dtype, u] : {std::pair{at::kBFloat16, 1.0 / 256}, std::pair{at::kHalf, 1.0 / 2048},
                          std::pair{at::kChar, 1.0 / 254}}) {
    CAPTURE(dtype);
    auto model = load_model_dir(dir, config, dtype);
    model->eval();
    REQUIRE(model->transformer->wte->weight.scalar_type() == dtype);
    auto logits = model->forward(input_ids).logits;  // (2, n_positions, V), fp32
    REQUIRE(logits.scalar_type() == at::kFloat);
    const double error = (logits - reference).abs().max().item<double>();
    const double scale = reference.abs().max().item<double>();
    INFO("max |logits - fp32 logits| = " << error << ", max |logit| = " << scale);
    // Measured: 7.4 u max|logit| for bf16, 5.6 u for f16 (the weights' relative rounding u
    // grown through the layers), 25.5 u for int8 (its step is relative to the column's largest
    // |W|, so smaller elements lose more). Bound: 16 u max|logit|, 32 u for int8.
    CHECK(error <= (dtype == at::kChar ? 32 : 16) * u * scale);
    CHECK(error > 0);  // the weights really are rounded
    // Cached one-token-at-a-time decoding (the row kernels): the fp32 model's greedy tokens.
    // Measured: bf16 gives all 56, f16 the first 51 then a near-tie goes the other way, int8
    // at least the first 48; the first 48 are asserted for all three.
    const auto greedy = greedy_with_cache(*model, prompt, tokens.numel());
    REQUIRE(greedy.size() == reference_greedy.size());
    REQUIRE(greedy.size() >= 48);
    CHECK(std::equal(greedy.begin(), greedy.begin() + 48, reference_greedy.begin()));
  }
}
