#pragma once
// "Network health" at evaluation steps: per GPT-2 block (and the embeddings, the final layer
// norm) the gradient norm, the weight norm and the update/weight ratio ||w_after - w_before|| /
// ||w_after|| of one optimiser step, logged as one log.jsonl row of kind "health".
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "io/run_directory.h"

namespace gpt2 {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// The group a parameter belongs to: "embeddings" (wte, wpe; wte is the tied head too),
// "h.<i>" for block i, "ln_f", else the name up to its last dot.
std::string health_group(const std::string& parameter_name);

struct GroupHealth {
  std::string group;
  double grad_norm = 0;     // L2 over the group's gradients (0 when none has one)
  double weight_norm = 0;   // after the step
  double update_norm = 0;   // ||w_after - w_before||
  double update_ratio = 0;  // update_norm / weight_norm
};

class HealthProbe {
 public:
  // Before the optimiser step (gradients unscaled, not yet clipped): keeps the gradient norms
  // and a copy of the weights.
  void before_update(const NamedTensors& parameters);
  bool armed() const { return !before_.empty(); }
  // After the step: the groups in first-seen order. Disarms the probe.
  std::vector<GroupHealth> after_update(const NamedTensors& parameters);

 private:
  NamedTensors before_;
  std::vector<std::pair<std::string, double>> grad_sq_;  // per group
};

// The log row: numbers "<group>/grad_norm", "<group>/weight_norm", "<group>/update_ratio".
LogRow health_row(int64_t step, const std::vector<GroupHealth>& groups);

}  // namespace gpt2
