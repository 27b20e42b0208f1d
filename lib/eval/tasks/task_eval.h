#pragma once
// `gpt2 eval --task`: every task of the eval section on every model (or checkpoint).
#include <vector>

#include "eval/checkpoint_eval.h"
#include "eval/eval_config.h"
#include "eval/tasks/task.h"

namespace gpt2 {

// Runs config.tasks[i] on config.task_data[i] for each model; writes config.log_samples when
// set.
std::vector<TaskResult> evaluate_tasks(const std::vector<ModelEntry>& models,
                                       const EvalConfig& config, const InferenceWeights& how = {});

}  // namespace gpt2
