// LoRA adapter directories in PEFT's format: save -> load round trip, a PEFT-shaped adapter
// written by an independent numpy script (tests/io/make_peft_adapter.py) loads and gives the
// logits numpy computes, and adapters that do not fit are refused naming the file and reason.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/lora.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

std::string golden_dir() {
  return test::golden_model_dir();
}

LoraConfig lora(int64_t r, std::vector<std::string> targets) {
  LoraConfig config;
  config.type = "lora";
  config.r = r;
  config.alpha = 16;
  config.dropout = 0.1;
  config.target_modules = std::move(targets);
  return config;
}

// The golden model with a random adapter saved in `dir`.
void save_random_adapter(const std::string& dir, const LoraConfig& config) {
  auto model = load_model_dir(golden_dir());
  attach_lora(*model, config);
  at::manual_seed(7);
  at::NoGradGuard no_grad;
  for (auto& [name, p] : lora_parameters(*model)) p.normal_(0.0, 0.03);
  save_adapter(*model, config, dir, golden_dir());
}

nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(read_file(path));
}

bool numpy_available() {
  return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("adapter: save -> load round trip in PEFT's layout") {
  test::TempDir dir;
  const auto config = lora(3, {"c_attn", "mlp.c_proj"});
  auto model = load_model_dir(golden_dir());
  attach_lora(*model, config);
  at::manual_seed(7);
  {
    at::NoGradGuard no_grad;
    for (auto& [name, p] : lora_parameters(*model)) p.normal_(0.0, 0.1);
  }
  save_adapter(*model, config, dir.path(), "/models/base");
  // PEFT's names and fields; no base weights stored.
  SafetensorsFile file(dir.file("adapter_model.safetensors"));
  CHECK(file.entries().size() == 8);  // 2 layers x 2 targets x (A, B)
  CHECK(file.entries().at("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight").shape ==
        std::vector<int64_t>{3, 64});
  CHECK(file.entries().at("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight").shape ==
        std::vector<int64_t>{64, 3});
  auto json = read_json(dir.file("adapter_config.json"));
  CHECK(json["peft_type"] == "LORA");
  CHECK(json["task_type"] == "CAUSAL_LM");
  CHECK(json["r"] == 3);
  CHECK(json["lora_alpha"] == 16.0);
  CHECK(json["lora_dropout"] == 0.1);
  CHECK(json["fan_in_fan_out"] == true);
  CHECK(json["bias"] == "none");
  CHECK(json["base_model_name_or_path"] == "/models/base");
  CHECK(json["target_modules"] == nlohmann::json::array({"c_attn", "mlp.c_proj"}));

  auto loaded = load_model_dir(golden_dir());
  AdapterConfig read = load_adapter(*loaded, dir.path());
  CHECK(read.lora.r == 3);
  CHECK(read.lora.alpha == 16);
  CHECK(read.base_model == "/models/base");
  auto a = lora_parameters(*model), b = lora_parameters(*loaded);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].first == b[i].first);
    CHECK(a[i].second.equal(b[i].second));
  }
  model->eval();
  loaded->eval();
  at::NoGradGuard no_grad;
  auto input = at::arange(20, at::kLong).view({2, 10});  // (B, T)
  CHECK(model->forward(input).logits.equal(loaded->forward(input).logits));
}

TEST_CASE("adapter: a PEFT-shaped adapter written by numpy loads and gives numpy's logits") {
  if (!numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  test::TempDir dir;
  const std::string command = "/usr/bin/python3 '" + test::source_dir() +
                              "/tests/io/make_peft_adapter.py' '" + golden_dir() + "' '" +
                              dir.path() + "'";
  REQUIRE(std::system(command.c_str()) == 0);
  auto model = load_model_dir(golden_dir());
  model->eval();
  AdapterConfig config = load_adapter(*model, dir.path());
  CHECK(config.lora.r == 4);
  CHECK(lora_parameters(*model).size() == 12);  // c_attn, attn.c_proj, mlp.c_proj x 2 layers
  SafetensorsFile expected(dir.file("expected.safetensors"));
  at::NoGradGuard no_grad;
  auto logits = model->forward(expected.tensor("input_ids")).logits;  // (B, T, V)
  auto reference = expected.tensor("logits");                         // (B, T, V) float64
  REQUIRE(logits.sizes() == reference.sizes());
  const double diff = (logits.to(at::kDouble) - reference).abs().max().item<double>();
  const double effect =
      (load_model_dir(golden_dir())->forward(expected.tensor("input_ids")).logits.to(at::kDouble) -
       reference)
          .abs()
          .max()
          .item<double>();
  INFO("max |logits - numpy| = " << diff << "; without the adapter " << effect);
  CHECK(diff < 1e-4);
  CHECK(effect > 0.1);  // the adapter matters: the base alone is far from numpy's logits
  // Merged, the same logits.
  merge_lora(*model);
  auto merged = model->forward(expected.tensor("input_ids")).logits;  // (B, T, V)
  CHECK((merged.to(at::kDouble) - reference).abs().max().item<double>() < 1e-4);
}

TEST_CASE("adapter: adapters that do not fit are refused naming the file and the reason") {
  test::TempDir dir;
  save_random_adapter(dir.path(), lora(2, {"c_attn"}));
  const std::string config_path = dir.file("adapter_config.json");
  const std::string weights_path = dir.file("adapter_model.safetensors");
  const auto original = read_json(config_path);
  auto rewrite = [&](const std::function<void(nlohmann::json&)>& edit) {
    auto json = original;
    edit(json);
    write_file_atomic(config_path, json.dump(2));
  };
  auto load = [&] {
    auto model = load_model_dir(golden_dir());
    load_adapter(*model, dir.path());
  };
  SECTION("r in adapter_config.json unlike the stored tensors") {
    rewrite([](nlohmann::json& j) { j["r"] = 4; });
    CHECK_THROWS_WITH(load(), Contains(weights_path) && Contains("has shape [2, 64]") &&
                                  Contains("needs [4, 64]"));
  }
  SECTION("more layers stored than target_modules selects: unknown keys") {
    auto model = load_model_dir(golden_dir());
    auto other = lora(2, {"c_attn", "c_fc"});
    attach_lora(*model, other);
    save_adapter(*model, other, dir.path(), "base");
    rewrite([](nlohmann::json& j) { j["target_modules"] = {"c_attn"}; });
    CHECK_THROWS_WITH(load(), Contains(weights_path) && Contains("unknown tensor") &&
                                  Contains("mlp.c_fc.lora_A.weight"));
  }
  SECTION("fewer layers stored than selected: missing keys") {
    rewrite([](nlohmann::json& j) { j["target_modules"] = {"c_attn", "c_fc"}; });
    CHECK_THROWS_WITH(load(), Contains(weights_path) && Contains("missing tensor") &&
                                  Contains("h.0.mlp.c_fc.lora_A.weight"));
  }
  SECTION("another base model: the shapes do not fit") {
    test::TempDir base;
    ModelConfig config = load_model_dir(golden_dir())->config();
    config.n_embd = 32;
    save_model_dir(*GPT2LMHeadModel(config), base.path());
    auto model = load_model_dir(base.path());
    CHECK_THROWS_WITH(load_adapter(*model, dir.path()),
                      Contains(weights_path) && Contains("needs [2, 32]"));
  }
  SECTION("another kind of PEFT adapter, or features we do not apply") {
    rewrite([](nlohmann::json& j) { j["peft_type"] = "IA3"; });
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("only LORA"));
    rewrite([](nlohmann::json& j) { j["use_dora"] = true; });
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("use_dora"));
    rewrite([](nlohmann::json& j) { j["bias"] = "all"; });
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("bias"));
    rewrite([](nlohmann::json& j) { j["r"] = "eight"; });
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("\"r\""));
    rewrite([](nlohmann::json& j) { j["target_modules"] = {"q_proj"}; });
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("matches no layer"));
  }
  SECTION("a corrupt or missing file") {
    write_file_atomic(weights_path, read_file(weights_path).substr(0, 100));
    CHECK_THROWS_WITH(load(), Contains(weights_path));
    write_file_atomic(config_path, "{not json");
    CHECK_THROWS_WITH(load(), Contains(config_path) && Contains("not valid JSON"));
    CHECK_THROWS_WITH(read_adapter_config(golden_dir()),
                      Contains("adapter_config.json is missing"));
  }
  SECTION("a regular expression as target_modules selects as PEFT's re.fullmatch") {
    rewrite(
        [](nlohmann::json& j) { j["target_modules"] = R"(transformer\.h\.\d+\.attn\.c_attn)"; });
    auto model = load_model_dir(golden_dir());
    load_adapter(*model, dir.path());
    CHECK(lora_parameters(*model).size() == 4);
  }
}

TEST_CASE("gpt2 merge-adapter writes a plain model directory with base + adapter's logits") {
  test::TempDir dir;
  const auto config = lora(4, {"c_attn", "c_proj", "c_fc"});
  save_random_adapter(dir.file("adapter"), config);
  auto result = test::run_cli("merge-adapter --model '" + golden_dir() + "' --adapter '" +
                              dir.file("adapter") + "' --out '" + dir.file("merged") + "'");
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  SafetensorsFile merged_file(dir.file("merged/model.safetensors"));
  for (const auto& item : merged_file.entries())
    CHECK(item.first.find("lora") == std::string::npos);
  auto merged = load_model_dir(dir.file("merged"));
  auto unmerged = load_model_dir(golden_dir());
  load_adapter(*unmerged, dir.file("adapter"));
  merged->eval();
  unmerged->eval();
  at::NoGradGuard no_grad;
  at::manual_seed(11);
  auto input = at::randint(0, 384, {2, 16}, at::kLong);  // (B, T)
  // In float32 the two differ by rounding alone: the relative size of a few float32 ulps.
  const auto want = unmerged->forward(input).logits;  // (B, T, V)
  const double scale = want.abs().max().item<double>();
  const double diff = (merged->forward(input).logits - want).abs().max().item<double>();
  INFO("float32: max |merged - unmerged| = " << diff << ", max |logit| " << scale);
  CHECK(diff < 1e-5 * scale);
  // Evaluated in float64 only the merged weights' rounding to float32 remains.
  merged->to(at::kDouble);
  unmerged->to(at::kDouble);
  const double diff64 =
      (merged->forward(input).logits - unmerged->forward(input).logits).abs().max().item<double>();
  INFO("float64: max |merged - unmerged| = " << diff64);
  CHECK(diff64 < 1e-5);
  CHECK((load_model_dir(golden_dir())->forward(input).logits - want).abs().max().item<double>() >
        1e-3);
  // Refusals name the problem.
  auto again = test::run_cli("merge-adapter --model '" + golden_dir() + "' --adapter '" +
                             dir.file("adapter") + "' --out '" + dir.file("merged") + "'");
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.output, Contains("--force"));
  auto wrong = test::run_cli("merge-adapter --model '" + golden_dir() + "' --adapter '" +
                             golden_dir() + "' --out '" + dir.file("other") + "'");
  CHECK(wrong.exit_code != 0);
  CHECK_THAT(wrong.output, Contains("adapter_config.json is missing"));
}
