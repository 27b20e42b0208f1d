#pragma once
// HellaSwag (Zellers et al. 2019), the harness's zero-shot recipe: the official
// hellaswag_val.jsonl rows (ctx_a, ctx_b, ctx, endings, label, activity_label).
#include <string>
#include <vector>

#include "eval/tasks/choice_scoring.h"

namespace gpt2 {

// The harness's preprocess: strip, " [title]" -> ". ", drop [bracketed] WikiHow headers,
// "  " -> " " (one pass, as Python's str.replace).
std::string hellaswag_preprocess(const std::string& text);

// Python's str.capitalize() on ASCII: the first letter upper case, the rest lower case.
std::string capitalize(const std::string& text);

// Context: preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b)); choices: the
// preprocessed endings (scored after a space).
std::vector<ChoiceQuestion> load_hellaswag(const std::string& path, int64_t limit);

TaskResult run_hellaswag(const TaskEnv& env, const TaskSettings& settings);

}  // namespace gpt2
