// Perplexity with LoRA adapters: a model entry with an adapter scores as its merged model does,
// and a LoRA run's checkpoints (adapter directories) are found and evaluated on their base;
// gpt2 eval --adapter and gpt2 generate --adapter give the merged model directory's scores.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "data/shard_format.h"
#include "eval/checkpoint_eval.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "model/lora.h"
#include "random_adapter.h"
#include "test_support.h"
#include "tiny_model_config.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

TEST_CASE(
    "eval: base + adapter scores as the merged model, and adapter checkpoints of a run count") {
  test::TempDir dir;
  const std::string base = test::golden_model_dir();
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

TEST_CASE("gpt2 eval --adapter and gpt2 generate --adapter score as the merged model directory") {
  test::TempDir dir;
  // A tiny model with GPT-2's tokenizer, so both commands take text.
  ModelConfig shape = test::tiny_model_config(50257, 32, 16, /*n_layer=*/1);
  at::manual_seed(4);
  GPT2LMHeadModel base(shape);
  save_model_dir(*base, dir.file("base"));
  save_tokenizer(*load_tokenizer(test::data_path(nullptr, "gpt2")), dir.file("base"));
  LoraConfig config;
  config.type = "lora";
  config.r = 2;
  config.target_modules = {"c_attn", "c_fc"};
  test::write_random_adapter(dir.file("base"), config, 0.5, dir.file("adapter"),
                             dir.file("merged"));
  write_file_atomic(dir.file("text.txt"),
                    "ROMEO: what light through yonder window breaks? It is the east.\n");

  auto eval_nll = [&](const std::string& model_args, const std::string& out) {
    auto result = test::run_cli("eval " + model_args + " --data " + dir.file("text.txt") +
                                " --context 16 --stride 8 --threads 1 --out " + dir.file(out));
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(read_file(dir.file(out + "/eval.json")));
  };
  const auto adapted =
      eval_nll("--model " + dir.file("base") + " --adapter " + dir.file("adapter"), "eval_adapter");
  const auto merged = eval_nll("--model " + dir.file("merged"), "eval_merged");
  const auto plain = eval_nll("--model " + dir.file("base"), "eval_base");
  REQUIRE(adapted.size() == 1);
  CHECK(adapted[0]["tokens"] == merged[0]["tokens"]);
  const double nll = adapted[0]["mean_nll"].get<double>();
  INFO("mean NLL: adapter " << nll << ", merged " << merged[0]["mean_nll"] << ", base "
                            << plain[0]["mean_nll"]);
  CHECK(nll == Approx(merged[0]["mean_nll"].get<double>()).epsilon(1e-6));
  CHECK(std::abs(nll - plain[0]["mean_nll"].get<double>()) > 1e-3);

  write_file_atomic(dir.file("in.jsonl"), "{\"prompt\": \"ROMEO:\"}\n");
  auto scores = [&](const std::string& model_args, const std::string& out) {
    auto result = test::run_cli("generate " + model_args + " --prompts " + dir.file("in.jsonl") +
                                " --out " + dir.file(out) +
                                " --strategy greedy --max-new-tokens 6 --ignore-eos"
                                " --output-scores --threads 1");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(read_file(dir.file(out)))["completions"][0];
  };
  const auto with_adapter =
      scores("--model " + dir.file("base") + " --adapter " + dir.file("adapter"), "a.jsonl");
  const auto with_merged = scores("--model " + dir.file("merged"), "m.jsonl");
  const auto with_base = scores("--model " + dir.file("base"), "b.jsonl");
  CHECK(with_adapter["tokens"] == with_merged["tokens"]);
  REQUIRE(with_adapter["transition_scores"].size() == 6);
  double diff = 0, change = 0;
  for (size_t i = 0; i < 6; ++i) {
    const double a = with_adapter["transition_scores"][i].get<double>();
    diff = std::max(diff, std::abs(a - with_merged["transition_scores"][i].get<double>()));
    change = std::max(change, std::abs(a - with_base["transition_scores"][i].get<double>()));
  }
  INFO("max |adapter - merged| " << diff << ", max |adapter - base| " << change);
  CHECK(diff < 1e-5);
  CHECK(change > 1e-3);
}
