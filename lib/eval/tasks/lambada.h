#pragma once
// LAMBADA as OpenAI's lambada_test.jsonl ({"text": ...}), the harness's lambada_openai: the
// last word given the passage; acc (greedy decoding yields the word) and ppl.
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

// Context: the text up to its last space; continuation: " " + the last word.
std::vector<LoglikelihoodRequest> load_lambada(const std::string& path, int64_t limit);

TaskResult run_lambada(const TaskEnv& env, const TaskSettings& settings);

}  // namespace gpt2
