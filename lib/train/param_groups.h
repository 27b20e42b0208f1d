#pragma once
// AdamW with two parameter groups, as in GPT-2/nanoGPT: matrices and embeddings (dim >= 2)
// decay; biases and LayerNorm gains (dim < 2) do not.
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>
#include <string>
#include <vector>

namespace gpt2 {

struct ParamGroups {
  std::vector<std::string> decay_names, no_decay_names;
  std::vector<at::Tensor> decay, no_decay;
};

// Trainable parameters split by dimension; names are the module's (transformer.h.0.attn...).
ParamGroups split_param_groups(const torch::nn::Module& module);

struct AdamWSettings {
  double lr = 6e-4, weight_decay = 0.1, beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
};

// Group 0 decays, group 1 has weight_decay 0.
std::unique_ptr<torch::optim::AdamW> make_adamw(const ParamGroups& groups,
                                                const AdamWSettings& settings);

// Sets the learning rate of every group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace gpt2
