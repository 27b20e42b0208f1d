// Perplexity with LoRA adapters: a model entry with an adapter scores as its merged model does,
// and a LoRA run's checkpoints (adapter directories) are found and evaluated on their base.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "data/shard_format.h"
#include "eval/checkpoint_eval.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "model/lora.h"
#include "test_support.h"

using namespace gpt2;

TEST_CASE(
    "eval: base + adapter scores as the merged model, and adapter checkpoints of a run count") {
  test::TempDir dir;
  const std::string base = test::data_path("GPT2_GOLDEN_DIR", "golden") + "/tiny-gpt2";
  LoraConfig config;
  config.type = "lora";
  config.r = 2;
  config.target_modules = {"c_attn", "c_fc"};
  auto model = load_model_dir(base);
  attach_lora(*model, config);
  at::manual_seed(8);
  {
    at::NoGradGuard no_grad;
    for (auto& [name, p] : lora_parameters(*model)) p.normal_(0.0, 0.05);
  }
  const std::string adapter = dir.file("run/checkpoints/step_00000010");
  save_adapter(*model, config, adapter, base);
  merge_lora(*model);
  save_model_dir(*model, dir.file("merged"));
  std::vector<uint32_t> tokens;
  for (uint32_t i = 0; i < 300; ++i) tokens.push_back((i * 37 + i / 7) % 384);
  write_shard(dir.file("val.bin"), tokens, token_bytes_for_vocab(384));

  auto entries = expand_model_paths({dir.file("run"), dir.file("merged"), base});
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].dir == base);
  CHECK(entries[0].adapter == adapter);
  CHECK(entries[0].step == 10);
  CHECK(entries[1].adapter.empty());
  EvalConfig eval;
  eval.context = 32;
  eval.stride = 16;
  auto rows = evaluate_models(entries, {dir.file("val.bin")}, eval);
  REQUIRE(rows.size() == 3);
  const double adapted = rows[0].result.mean_nll(), merged = rows[1].result.mean_nll(),
               plain = rows[2].result.mean_nll();
  INFO("adapter " << adapted << ", merged " << merged << ", base " << plain);
  CHECK(adapted == Approx(merged).epsilon(1e-6));
  CHECK(std::abs(adapted - plain) > 1e-3);
}
