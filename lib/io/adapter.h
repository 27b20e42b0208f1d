#pragma once
// LoRA adapter directories in PEFT's layout, so PEFT loads ours and we load PEFT's:
//   adapter_config.json        peft_type LORA, r, lora_alpha, lora_dropout, target_modules,
//                              fan_in_fan_out true (GPT-2's Conv1D), bias none, task_type
//                              CAUSAL_LM, base_model_name_or_path
//   adapter_model.safetensors  base_model.model.transformer.h.{i}.attn.c_attn.lora_A.weight
//                              (r, in), ... .lora_B.weight (out, r)
// Only the adapters are stored, never the base model's weights.
#include <string>

#include "model/gpt2_model.h"
#include "model/lora_config.h"

namespace gpt2 {

inline constexpr const char* kAdapterConfig = "adapter_config.json";
inline constexpr const char* kAdapterWeights = "adapter_model.safetensors";

struct AdapterConfig {
  LoraConfig lora;           // type lora; target_modules as stored (names or full paths)
  std::string target_regex;  // PEFT's target_modules given as one regular expression; "" = list
  std::string base_model;    // base_model_name_or_path
};

// Whether `dir` holds adapter_config.json.
bool is_adapter_dir(const std::string& dir);

// Reads <dir>/adapter_config.json. Throws Error naming the file and field for what is not a
// LoRA adapter we can apply (another peft_type, DoRA, rank or alpha patterns, bias training,
// modules_to_save, layers_to_transform).
AdapterConfig read_adapter_config(const std::string& dir);

// Writes <dir>/adapter_model.safetensors (the model's adapters) and adapter_config.json, each
// atomically. `config` must describe the attached adapters (its r is checked against them).
void save_adapter(const GPT2LMHeadModelImpl& model, const LoraConfig& config,
                  const std::string& dir, const std::string& base_model);

// Attaches the adapter in `dir` to `model` (which has none) and loads its weights; returns its
// configuration. Throws Error naming the file on unknown or missing keys, shapes that do not
// fit the base model (another base, or r unlike adapter_config.json's) and bad dtypes.
AdapterConfig load_adapter(GPT2LMHeadModelImpl& model, const std::string& dir);

// For inference: loads the adapter in `dir` onto `model` and merges it into the weights
// (merge_lora), so decoding runs at the base model's speed. The model must hold float32 weights;
// store 16-bit or int8 weights afterwards.
AdapterConfig apply_adapter(GPT2LMHeadModelImpl& model, const std::string& dir);

// Continuing an adapter's training: `model` has the adapters `config` (train.adapter) attached;
// loads their A and B from the adapter in `dir`. Throws Error naming both values when
// adapter_config.json's r, lora_alpha, use_rslora or the layers its target_modules select
// differ from `config`'s (the dropout is the run's own).
void load_adapter_to_train(GPT2LMHeadModelImpl& model, const LoraConfig& config,
                           const std::string& dir);

// Copies the adapter weights of the safetensors file `path` into the adapters the model
// already has (resuming a run), with the same checks.
void load_adapter_weights(GPT2LMHeadModelImpl& model, const std::string& path);

}  // namespace gpt2
