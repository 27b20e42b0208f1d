// LoRA adapters on the golden tiny GPT-2: a fresh adapter changes nothing, the layer computes
// x W + b + x A^T B^T alpha / r, gradients reach A and B only and match finite differences,
// and merging gives the unmerged outputs.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "core/error.h"
#include "io/checkpoint.h"
#include "model/lora.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

at::Tensor golden_input() {
  at::manual_seed(3);
  return at::randint(0, 384, {2, 12}, at::kLong);  // (B, T)
}

LoraConfig lora_all(int64_t r, double alpha) {
  LoraConfig config;
  config.type = "lora";
  config.r = r;
  config.alpha = alpha;
  config.target_modules = {"c_attn", "c_proj", "c_fc"};
  return config;
}

// Gives every B (and A) random values, so the adapters change the outputs.
void randomise(GPT2LMHeadModelImpl& model, double scale) {
  at::NoGradGuard no_grad;
  for (auto& [name, p] : lora_parameters(model)) p.normal_(0.0, scale);
}

Conv1DImpl& conv(GPT2LMHeadModelImpl& model, const std::string& path) {
  for (const auto& item : model.named_modules())
    if (item.key() == path) return *item.value()->as<Conv1DImpl>();
  FAIL("no module " << path);
  throw 0;
}

}  // namespace

TEST_CASE("lora: adapters get PEFT's names, shapes and initialisation, and B = 0 changes nothing") {
  auto model = load_model_dir(test::golden_model_dir());
  model->eval();
  auto input = golden_input();
  at::Tensor before;
  {
    at::NoGradGuard no_grad;
    before = model->forward(input).logits;  // (B, T, V)
  }
  at::manual_seed(1);
  auto parameters = attach_lora(*model, lora_all(4, 8));
  // n_embd 64, inner 256: (r, in) and (out, r) for each of the 4 layers of both blocks.
  std::map<std::string, std::vector<int64_t>> want = {
      {"transformer.h.1.attn.c_attn.lora_A.weight", {4, 64}},
      {"transformer.h.1.attn.c_attn.lora_B.weight", {192, 4}},
      {"transformer.h.1.attn.c_proj.lora_A.weight", {4, 64}},
      {"transformer.h.1.attn.c_proj.lora_B.weight", {64, 4}},
      {"transformer.h.1.mlp.c_fc.lora_A.weight", {4, 64}},
      {"transformer.h.1.mlp.c_fc.lora_B.weight", {256, 4}},
      {"transformer.h.1.mlp.c_proj.lora_A.weight", {4, 256}},
      {"transformer.h.1.mlp.c_proj.lora_B.weight", {64, 4}}};
  REQUIRE(parameters.size() == 16);
  for (const auto& [name, value] : parameters) {
    INFO(name);
    CHECK(value.requires_grad());
    if (name.find("transformer.h.1.") == 0) CHECK(value.sizes().vec() == want.at(name));
    if (name.find("lora_B") != std::string::npos) {
      CHECK(value.abs().max().item<double>() == 0.0);
    } else {
      // U(-1/sqrt(in), 1/sqrt(in)): within the bound and spread over it.
      const double bound = 1.0 / std::sqrt(double(value.size(1)));
      CHECK(value.abs().max().item<double>() <= bound);
      CHECK(value.abs().max().item<double>() > 0.8 * bound);
    }
  }
  // The base is frozen: only adapter parameters remain trainable.
  int64_t trainable = 0;
  for (const auto& item : model->named_parameters())
    if (item.value().requires_grad()) {
      ++trainable;
      CHECK(item.key().find(".lora_") != std::string::npos);
    }
  CHECK(trainable == 16);
  at::NoGradGuard no_grad;
  auto after = model->forward(input).logits;  // (B, T, V)
  CHECK(after.equal(before));                 // exactly
  CHECK_THROWS_WITH(attach_lora(*model, lora_all(4, 8)), Contains("already has LoRA"));
}

TEST_CASE("lora: target modules select layers as PEFT does; c_proj means both") {
  auto model = load_model_dir(test::golden_model_dir());
  auto paths = lora_target_paths(*model, {"c_proj"});
  CHECK(paths ==
        std::vector<std::string>{"transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_proj",
                                 "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_proj"});
  CHECK(lora_target_paths(*model, {"mlp.c_proj", "c_attn"}) ==
        std::vector<std::string>{"transformer.h.0.attn.c_attn", "transformer.h.0.mlp.c_proj",
                                 "transformer.h.1.attn.c_attn", "transformer.h.1.mlp.c_proj"});
  CHECK_THROWS_WITH(lora_target_paths(*model, {"q_proj"}), Contains("matches no layer"));
}

TEST_CASE("lora: a layer computes x W + b + dropout(x) A^T B^T alpha / r") {
  auto model = load_model_dir(test::golden_model_dir());
  auto config = lora_all(3, 6);  // scale 2
  config.dropout = 0.5;
  attach_lora(*model, config);
  at::manual_seed(2);
  randomise(*model, 0.1);
  auto& layer = conv(*model, "transformer.h.0.mlp.c_fc");
  auto x = at::randn({2, 5, 64});  // (B, T, in)
  // The same sum in float64, written out.
  auto xd = x.to(at::kDouble).reshape({10, 64});                        // (N, in)
  auto W = layer.weight.to(at::kDouble);                                // (in, out)
  auto b = layer.bias.to(at::kDouble);                                  // (out)
  auto A = layer.lora_A->weight.to(at::kDouble);                        // (r, in)
  auto B = layer.lora_B->weight.to(at::kDouble);                        // (out, r)
  auto want = xd.matmul(W) + b + xd.matmul(A.t()).matmul(B.t()) * 2.0;  // (N, out)
  model->eval();                                                        // no dropout in eval
  at::NoGradGuard no_grad;
  auto got = layer.forward(x).reshape({10, -1}).to(at::kDouble);  // (N, out)
  CHECK((got - want).abs().max().item<double>() < 1e-4);
  // In training, dropout acts on the adapter's input only: the same draw of torch's generator
  // applied to x by hand gives the same output.
  layer.train();
  at::manual_seed(9);
  auto x_dropped = at::dropout(x.reshape({10, 64}), 0.5, true).to(at::kDouble);  // (N, in)
  at::manual_seed(9);
  auto dropped = layer.forward(x).reshape({10, -1}).to(at::kDouble);  // (N, out)
  auto want_dropped = xd.matmul(W) + b + x_dropped.matmul(A.t()).matmul(B.t()) * 2.0;
  CHECK((dropped - want_dropped).abs().max().item<double>() < 1e-4);
  CHECK((dropped - want).abs().max().item<double>() > 1e-3);
}

TEST_CASE("lora: gradients reach A and B only and match finite differences (float64)") {
  auto model = load_model_dir(test::golden_model_dir());
  model->to(at::kDouble);
  auto config = lora_all(2, 4);
  config.target_modules = {"c_attn", "mlp.c_proj"};
  auto parameters = attach_lora(*model, config);
  at::manual_seed(4);
  randomise(*model, 0.2);  // B != 0, so A gets a gradient too
  model->eval();
  auto input = golden_input();
  auto targets = input.roll(-1, 1);  // (B, T)
  // Mean next-token cross-entropy computed here in float64.
  auto loss_of = [&]() {
    auto logits = model->forward(input).logits;             // (B, T, V)
    auto logp = at::log_softmax(logits, -1);                // (B, T, V)
    return -logp.gather(-1, targets.unsqueeze(-1)).mean();  // ()
  };
  auto loss = loss_of();
  loss.backward();
  for (const auto& item : model->named_parameters()) {
    INFO(item.key());
    const bool adapter = item.key().find(".lora_") != std::string::npos;
    CHECK(item.value().grad().defined() == adapter);
  }
  at::NoGradGuard no_grad;
  const double h = 1e-6;
  for (const auto& [name, p] : parameters) {
    INFO(name);
    auto flat = p.view({-1});
    for (int64_t index : {int64_t(0), flat.numel() / 2, flat.numel() - 1}) {
      const double saved = flat[index].item<double>();
      flat[index].fill_(saved + h);
      const double up = loss_of().item<double>();
      flat[index].fill_(saved - h);
      const double down = loss_of().item<double>();
      flat[index].fill_(saved);
      const double numeric = (up - down) / (2 * h);
      const double analytic = p.grad().view({-1})[index].item<double>();
      CHECK(analytic == Approx(numeric).margin(1e-8).epsilon(1e-5));
    }
  }
}

TEST_CASE("lora: merging gives the unmerged logits and a plain model") {
  auto model = load_model_dir(test::golden_model_dir());
  const bool float64 = GENERATE(false, true);
  INFO((float64 ? "float64" : "float32"));
  if (float64) model->to(at::kDouble);  // no rounding to hide a wrong merge
  model->eval();
  auto names_before = model->named_parameters().keys();
  attach_lora(*model, lora_all(4, 16));
  at::manual_seed(5);
  randomise(*model, 0.02);
  auto input = golden_input();
  at::NoGradGuard no_grad;
  auto unmerged = model->forward(input).logits;  // (B, T, V)
  merge_lora(*model);
  CHECK(!has_lora(*model));
  CHECK(model->named_parameters().keys() == names_before);
  auto merged = model->forward(input).logits;  // (B, T, V)
  const double diff = (merged - unmerged).abs().max().item<double>();
  const double scale = unmerged.abs().max().item<double>();
  INFO("max |merged - unmerged| = " << diff << ", max |logit| " << scale);
  // float32: rounding alone, a few ulps of the largest logit.
  CHECK(diff < (float64 ? 1e-10 : 1e-5 * scale));
  auto base = load_model_dir(test::golden_model_dir());
  if (float64) base->to(at::kDouble);
  CHECK((unmerged - base->forward(input).logits).abs().max().item<double>() >
        1e-3);  // the adapter did change the outputs
  CHECK_THROWS_WITH(merge_lora(*model), Contains("no LoRA adapters"));
}
