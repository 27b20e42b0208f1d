#pragma once
// A random LoRA adapter for a model directory, as the adapter tests need it: A and B drawn from
// N(0, std) (B != 0, so the adapter changes the outputs), saved in PEFT's layout; optionally
// the merged model saved too, with the base's tokenizer files, as gpt2 merge-adapter would.
#include <ATen/ATen.h>

#include <filesystem>
#include <string>

#include "io/adapter.h"
#include "io/checkpoint.h"
#include "model/lora.h"

namespace gpt2::test {

inline void write_random_adapter(const std::string& base_dir, const LoraConfig& config, double std,
                                 const std::string& adapter_dir,
                                 const std::string& merged_dir = "") {
  auto model = load_model_dir(base_dir);
  attach_lora(*model, config);
  {
    at::NoGradGuard no_grad;
    for (auto& item : lora_parameters(*model)) item.second.normal_(0.0, std);
  }
  save_adapter(*model, config, adapter_dir, base_dir);
  if (merged_dir.empty()) return;
  merge_lora(*model);
  save_model_dir(*model, merged_dir);
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(base_dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "config.json" && name != "model.safetensors")
      fs::copy(entry.path(), fs::path(merged_dir) / name, fs::copy_options::overwrite_existing);
  }
}

}  // namespace gpt2::test
