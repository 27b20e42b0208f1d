#pragma once
// Any multiple-choice set as JSON lines {"context": str, "choices": [str, ...], "label": int}:
// each choice is scored after the context and one space (the harness's target delimiter).
#include <string>
#include <vector>

#include "eval/tasks/choice_scoring.h"

namespace gpt2 {

std::vector<ChoiceQuestion> load_multiple_choice(const std::string& path, int64_t limit);

TaskResult run_multiple_choice(const TaskEnv& env, const TaskSettings& settings);

}  // namespace gpt2
