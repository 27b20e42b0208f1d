#include "model/lora.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "model/gpt2_model.h"

namespace gpt2 {

double LoraConfig::scale() const {
  return use_rslora ? alpha / std::sqrt(double(r)) : alpha / double(r);
}

void LoraConfig::validate() const {
  require(!enabled() || !target_modules.empty(),
          "train.adapter.target_modules is empty: name the layers to adapt, e.g. [c_attn]");
  require(init_from.empty() || enabled(),
          "train.adapter.init_from (" + init_from +
              ") continues a LoRA adapter: set train.adapter.type lora as well");
}

namespace {

// PEFT's rule for a list of names: the module path is the name or ends in ".<name>".
bool matches(const std::string& path, const std::string& target) {
  return path == target || ends_with(path, "." + target);
}

std::vector<std::pair<std::string, Conv1DImpl*>> conv_layers(const GPT2LMHeadModelImpl& model) {
  std::vector<std::pair<std::string, Conv1DImpl*>> layers;
  for (const auto& item : model.named_modules())
    if (auto* conv = item.value()->as<Conv1DImpl>()) layers.emplace_back(item.key(), conv);
  return layers;
}

}  // namespace

std::vector<std::string> lora_target_paths(const GPT2LMHeadModelImpl& model,
                                           const std::vector<std::string>& targets) {
  const auto layers = conv_layers(model);
  std::vector<std::string> paths;
  for (const auto& target : targets) {
    bool any = false;
    for (const auto& layer : layers) any |= matches(layer.first, target);
    require(any, "LoRA target module \"" + target +
                     "\" matches no layer of GPT-2 (choose among c_attn, c_proj, c_fc, "
                     "attn.c_proj, mlp.c_proj)");
  }
  for (const auto& layer : layers)
    for (const auto& target : targets)
      if (matches(layer.first, target)) {
        paths.push_back(layer.first);
        break;
      }
  return paths;
}

std::vector<std::pair<std::string, at::Tensor>> attach_lora(GPT2LMHeadModelImpl& model,
                                                            const LoraConfig& config) {
  require(!has_lora(model), "the model already has LoRA adapters");
  require(config.r > 0, "LoRA rank r must be > 0");
  const auto paths = lora_target_paths(model, config.target_modules);
  at::NoGradGuard no_grad;
  for (auto& p : model.parameters()) p.requires_grad_(false);
  for (const auto& [path, conv] : conv_layers(model)) {
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) continue;
    require(conv->weight.scalar_type() == at::kFloat || conv->weight.scalar_type() == at::kDouble,
            "LoRA adapters need float32 weights; load the model with runtime.weights f32");
    const int64_t in = conv->weight.size(0), out = conv->weight.size(1);
    const auto options = conv->weight.options();
    auto linear = [&](int64_t from, int64_t to) {
      torch::nn::Linear layer(torch::nn::LinearOptions(from, to).bias(false));
      layer->to(options.device(), options.dtype().toScalarType());
      return layer;
    };
    conv->lora_A = conv->register_module("lora_A", linear(in, config.r));   // weight (r, in)
    conv->lora_B = conv->register_module("lora_B", linear(config.r, out));  // weight (out, r)
    // kaiming_uniform_(a = sqrt(5)) on (r, in): gain sqrt(1/3), bound gain * sqrt(3 / in).
    const double bound = 1.0 / std::sqrt(double(in));
    conv->lora_A->weight.uniform_(-bound, bound);
    conv->lora_B->weight.zero_();
    conv->lora_scale = config.scale();
    conv->lora_dropout = config.dropout;
  }
  return lora_parameters(model);
}

std::vector<std::pair<std::string, at::Tensor>> lora_parameters(const GPT2LMHeadModelImpl& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [path, conv] : conv_layers(model)) {
    if (!conv->lora_A) continue;
    out.emplace_back(path + ".lora_A.weight", conv->lora_A->weight);  // (r, in)
    out.emplace_back(path + ".lora_B.weight", conv->lora_B->weight);  // (out, r)
  }
  return out;
}

bool has_lora(const GPT2LMHeadModelImpl& model) {
  for (const auto& layer : conv_layers(model))
    if (layer.second->lora_A) return true;
  return false;
}

void merge_lora(GPT2LMHeadModelImpl& model) {
  at::NoGradGuard no_grad;
  bool any = false;
  for (const auto& [path, conv] : conv_layers(model)) {
    if (!conv->lora_A) continue;
    any = true;
    const auto& A = conv->lora_A->weight;  // (r, in)
    const auto& B = conv->lora_B->weight;  // (out, r)
    // Conv1D's W is (in, out): the update B A transposed, computed in float64.
    auto delta = at::matmul(A.t().to(at::kDouble), B.t().to(at::kDouble)) * conv->lora_scale;
    conv->weight.copy_((conv->weight.to(at::kDouble) + delta).to(conv->weight.scalar_type()));
    conv->unregister_module("lora_A");
    conv->unregister_module("lora_B");
    conv->lora_A = nullptr;
    conv->lora_B = nullptr;
    conv->lora_scale = conv->lora_dropout = 0;
  }
  require(any, "the model has no LoRA adapters to merge");
  for (auto& p : model.parameters())
    if (p.is_floating_point()) p.requires_grad_(true);
}

}  // namespace gpt2
