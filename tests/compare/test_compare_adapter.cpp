// compare.adapter (gpt2-compare-sampling --adapter): the comparison of base + adapter is that of
// the merged model directory, texts and perplexities, and differs from the base's.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "compare/comparison.h"
#include "random_adapter.h"
#include "test_support.h"
#include "tiny_comparison_model.h"

using namespace gpt2;

TEST_CASE("compare.adapter compares the merged model's settings") {
  test::TempDir tmp;
  test::write_tiny_comparison_model(tmp, 20000, 32, 3);
  LoraConfig lora;
  lora.type = "lora";
  lora.r = 2;
  lora.target_modules = {"c_attn", "c_fc"};
  at::manual_seed(9);
  test::write_random_adapter(tmp.file("model"), lora, 0.5, tmp.file("adapter"), tmp.file("merged"));

  auto compare = [&](const std::string& model_dir, const std::string& adapter) {
    CompareConfig config;
    config.model = model_dir;
    config.adapter = adapter;
    config.text = {tmp.file("text.txt")};
    config.num_prompts = 4;
    config.prompt_tokens = 16;
    config.reference_tokens = 8;
    config.seeds = {1};
    config.bootstrap = 20;
    config.out_dir = tmp.file("out");
    NamedSetting greedy{"greedy", {}};
    greedy.generate.max_new_tokens = 8;
    return run_comparison(config, {greedy});
  };
  auto adapted = compare(tmp.file("model"), tmp.file("adapter"));
  auto merged = compare(tmp.file("merged"), "");
  auto base = compare(tmp.file("model"), "");
  REQUIRE(adapted.rows.size() == 2);  // human, greedy
  for (size_t i = 0; i < 2; ++i) {
    CHECK(adapted.rows[i].texts_out == merged.rows[i].texts_out);
    CHECK(adapted.rows[i].perplexity.value ==
          Approx(merged.rows[i].perplexity.value).epsilon(1e-5));
  }
  // The human row is the references scored by the adapted model: not the base's.
  CHECK(std::abs(adapted.rows[0].perplexity.value - base.rows[0].perplexity.value) >
        1e-3 * base.rows[0].perplexity.value);
}
