// AdamW parameter groups, the fp16 loss scaler and the gradient helpers.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "model/gpt2_model.h"
#include "tiny_model_config.h"
#include "train/grad_utils.h"
#include "train/loss_scaler.h"
#include "train/param_groups.h"

using namespace gpt2;

namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

GPT2LMHeadModel tiny_model() {
  ModelConfig c = test::tiny_model_config(20, 8, 8);
  c.bos_token_id = c.eos_token_id = 0;
  return GPT2LMHeadModel(c);
}

}  // namespace

TEST_CASE("weights and embeddings decay but biases and LayerNorm gains do not") {
  auto model = tiny_model();
  ParamGroups groups = split_param_groups(*model);
  CHECK(has(groups.decay_names, "transformer.wte.weight"));
  CHECK(has(groups.decay_names, "transformer.wpe.weight"));
  CHECK(has(groups.decay_names, "transformer.h.0.attn.c_attn.weight"));
  CHECK(has(groups.decay_names, "transformer.h.1.mlp.c_proj.weight"));
  CHECK(has(groups.no_decay_names, "transformer.h.0.attn.c_attn.bias"));
  CHECK(has(groups.no_decay_names, "transformer.h.0.ln_1.weight"));
  CHECK(has(groups.no_decay_names, "transformer.ln_f.bias"));
  CHECK(!has(groups.decay_names, "transformer.ln_f.weight"));
  // Every parameter is in exactly one group: 2 embeddings + 4 matrices per block.
  CHECK(groups.decay.size() == 2 + 4 * 2);
  CHECK(groups.decay.size() + groups.no_decay.size() == model->parameters().size());

  auto adamw = make_adamw(groups, {1e-3, 0.1, 0.9, 0.95, 1e-8});
  REQUIRE(adamw->param_groups().size() == 2);
  auto& decay = static_cast<torch::optim::AdamWOptions&>(adamw->param_groups()[0].options());
  auto& no_decay = static_cast<torch::optim::AdamWOptions&>(adamw->param_groups()[1].options());
  CHECK(decay.weight_decay() == 0.1);
  CHECK(no_decay.weight_decay() == 0.0);
  CHECK(std::get<1>(decay.betas()) == 0.95);
  set_learning_rate(*adamw, 0.25);
  CHECK(decay.lr() == 0.25);
  CHECK(no_decay.lr() == 0.25);
}

TEST_CASE("weight decay shrinks a decayed weight and leaves a no-decay one alone") {
  // Zero gradients: Adam's update is 0, so only decoupled decay moves the weights.
  auto w = at::ones({2, 2}).requires_grad_(), b = at::ones({2}).requires_grad_();
  w.mutable_grad() = at::zeros({2, 2});
  b.mutable_grad() = at::zeros({2});
  ParamGroups groups;
  groups.decay = {w};
  groups.no_decay = {b};
  auto adamw = make_adamw(groups, {0.5, 0.1, 0.9, 0.95, 1e-8});
  adamw->step();
  CHECK(w[0][0].item<double>() == Approx(1 - 0.5 * 0.1));
  CHECK(b[0].item<double>() == 1.0);
}

TEST_CASE("global gradient norm and clipping") {
  auto a = at::zeros({2}).requires_grad_(), b = at::zeros({1}).requires_grad_();
  a.mutable_grad() = at::tensor({3.0f, 0.0f});
  b.mutable_grad() = at::tensor({4.0f});
  std::vector<at::Tensor> params = {a, b};
  double norm = global_grad_norm(params);
  CHECK(norm == Approx(5.0));
  clip_grads(params, norm, 1.0);
  CHECK(global_grad_norm(params) == Approx(1.0).epsilon(1e-5));
  CHECK(a.grad()[0].item<double>() == Approx(0.6).epsilon(1e-5));
  clip_grads(params, 1.0, 2.0);  // below the limit: unchanged
  CHECK(a.grad()[0].item<double>() == Approx(0.6).epsilon(1e-5));
  b.mutable_grad()[0] = NAN;
  CHECK(std::isnan(global_grad_norm(params)));
}

TEST_CASE("the loss scaler backs off on overflow and grows after a window of finite steps") {
  LossScaler scaler(true, /*init_scale=*/1024, /*growth_interval=*/3);
  CHECK(scaler.scale_loss(at::tensor(2.0)).item<double>() == 2048);
  auto p = at::zeros({2}).requires_grad_();
  p.mutable_grad() = at::tensor({1024.0f, 2048.0f});
  std::vector<at::Tensor> params = {p};
  CHECK(scaler.unscale(params));
  CHECK(p.grad()[1].item<double>() == 2.0);  // divided by the scale
  CHECK(scaler.update(true));
  p.mutable_grad() = at::tensor({INFINITY, 1.0f});
  CHECK_FALSE(scaler.unscale(params));
  CHECK_FALSE(scaler.update(false));  // step skipped
  CHECK(scaler.scale() == 512);
  for (int i = 0; i < 2; ++i) CHECK(scaler.update(true));
  CHECK(scaler.scale() == 512);
  CHECK(scaler.update(true));  // third finite step in a row
  CHECK(scaler.scale() == 1024);
  CHECK(scaler.growth_tracker() == 0);

  LossScaler off(false);
  CHECK(off.scale() == 1.0);
  p.mutable_grad() = at::tensor({NAN, 1.0f});
  CHECK_FALSE(off.unscale(params));  // still reports non-finite gradients
  CHECK(std::isnan(p.grad()[0].item<double>()));
}
