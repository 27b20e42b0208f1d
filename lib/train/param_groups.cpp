#include "train/param_groups.h"

namespace gpt2 {

ParamGroups split_param_groups(const torch::nn::Module& module) {
  ParamGroups groups;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    const at::Tensor& p = item.value();
    if (!p.requires_grad()) continue;
    if (p.dim() >= 2) {
      groups.decay_names.push_back(item.key());
      groups.decay.push_back(p);
    } else {
      groups.no_decay_names.push_back(item.key());
      groups.no_decay.push_back(p);
    }
  }
  return groups;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(const ParamGroups& groups, const AdamWSettings& s) {
  auto options = [&](double decay) {
    auto o = std::make_unique<torch::optim::AdamWOptions>(s.lr);
    o->betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(decay);
    return o;
  };
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  param_groups.emplace_back(groups.decay, options(s.weight_decay));
  param_groups.emplace_back(groups.no_decay, options(0.0));
  torch::optim::AdamWOptions defaults(s.lr);
  defaults.betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(s.weight_decay);
  return std::make_unique<torch::optim::AdamW>(std::move(param_groups), defaults);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

}  // namespace gpt2
