#pragma once
// LoRA adapters on GPT-2's Conv1D layers, as PEFT makes them (tuners/lora): a layer with weight
// W (in, out) gets A (r, in) and B (out, r), nn.Linear's layout even though Conv1D stores W
// transposed (PEFT's fan_in_fan_out), and computes
//   y = x W + b + dropout(x) A^T B^T * alpha / r        (alpha / sqrt(r) with use_rslora)
// A starts as PEFT's kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), B as zeros,
// so a fresh adapter leaves the model's outputs unchanged. Parameter names follow PEFT's saved
// keys: transformer.h.0.attn.c_attn.lora_A.weight, ... .lora_B.weight.
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "model/lora_config.h"

namespace gpt2 {

class GPT2LMHeadModelImpl;

// The module paths of the Conv1D layers `targets` selects, in model order
// ("transformer.h.0.attn.c_attn", ...). Throws Error when a target matches no layer.
std::vector<std::string> lora_target_paths(const GPT2LMHeadModelImpl& model,
                                           const std::vector<std::string>& targets);

// Adds adapters to the selected layers (A drawn from torch's default generator, B zeros),
// freezes every base parameter and returns the adapters' parameters. Throws Error when the
// model already has adapters or holds 16-bit/int8 weights.
std::vector<std::pair<std::string, at::Tensor>> attach_lora(GPT2LMHeadModelImpl& model,
                                                            const LoraConfig& config);

// The adapters' parameters by name (transformer.h.{i}.{attn|mlp}.{layer}.lora_{A|B}.weight), in
// model order; empty without adapters.
std::vector<std::pair<std::string, at::Tensor>> lora_parameters(const GPT2LMHeadModelImpl& model);

bool has_lora(const GPT2LMHeadModelImpl& model);

// W += A^T B^T * scale in every adapted layer, then removes the adapters and makes the base
// parameters trainable again: a plain model with the same outputs (to float rounding).
void merge_lora(GPT2LMHeadModelImpl& model);

}  // namespace gpt2
