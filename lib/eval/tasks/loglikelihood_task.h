#pragma once
// Any set of continuations as JSON lines {"context": str, "continuation": str}: summed
// log-probs, greedy rate and perplexities (eval/tasks/continuation_scoring.h).
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

std::vector<LoglikelihoodRequest> load_loglikelihood_pairs(const std::string& path, int64_t limit);

TaskResult run_loglikelihood_task(const TaskEnv& env, const TaskSettings& settings);

}  // namespace gpt2
