#pragma once
// The LoRA adapter settings: the train.adapter section, and what adapter_config.json holds
// (PEFT's LoraConfig fields r, lora_alpha, lora_dropout, target_modules, bias, use_rslora).
// Torch-free; the adapters themselves are in model/lora.h.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"

namespace gpt2 {

// The train.adapter section (and what adapter_config.json holds).
struct LoraConfig {
  static constexpr const char* kSection = "adapter";

  std::string type = "none";  // none (full fine-tuning) | lora
  int64_t r = 8;
  double alpha = 8;  // PEFT's lora_alpha; the update is scaled by alpha / r
  double dropout = 0.0;
  // Layer names as PEFT matches them: a module whose path ends in ".<name>". c_proj means both
  // attn.c_proj and mlp.c_proj; attn.c_proj or mlp.c_proj alone picks one.
  std::vector<std::string> target_modules = {"c_attn"};
  std::string bias = "none";  // biases stay frozen (PEFT's other choices train them)
  bool use_rslora = false;    // scale alpha / sqrt(r) (rank-stabilised LoRA)
  // An adapter directory (ours or PEFT's) whose A and B a new run continues from; its r,
  // lora_alpha, use_rslora and layers must equal the fields above (checked, not copied, so the
  // run's config.yaml always describes the adapter it trains). "" = a fresh adapter.
  std::string init_from;

  bool enabled() const { return type == "lora"; }
  double scale() const;

  void visit(FieldVisitor& v) {
    v.field("type", type, "none (train every weight) or lora (low-rank adapters only)",
            Rule::one_of({"none", "lora"}));
    v.field("r", r, "LoRA rank", Rule::positive());
    v.field("alpha", alpha, "LoRA alpha: updates are scaled by alpha / r", Rule::positive());
    v.field("dropout", dropout, "dropout on the adapters' input", Rule::closed_open(0, 1));
    v.field("target_modules", target_modules,
            "layers given adapters: c_attn, c_proj (attn and mlp), c_fc, attn.c_proj, mlp.c_proj",
            Rule::one_of({"c_attn", "c_proj", "c_fc", "attn.c_attn", "attn.c_proj", "mlp.c_fc",
                          "mlp.c_proj"}));
    v.field("bias", bias, "bias training (only none: biases stay frozen)", Rule::one_of({"none"}));
    v.field("use_rslora", use_rslora, "scale by alpha / sqrt(r) instead of alpha / r");
    v.field("init_from", init_from,
            "adapter directory (PEFT layout) to continue training from; \"\" = a new adapter");
  }
  void validate() const;  // at least one target module; init_from only with type lora
};

}  // namespace gpt2
