#include "eval/tasks/loglikelihood_task.h"

#include "eval/tasks/continuation_scoring.h"
#include "eval/tasks/jsonl.h"

namespace gpt2 {

std::vector<LoglikelihoodRequest> load_loglikelihood_pairs(const std::string& path, int64_t limit) {
  std::vector<LoglikelihoodRequest> examples;
  read_jsonl(
      path, "a pair {\"context\": str, \"continuation\": str}", limit, [&](const JsonlRow& row) {
        LoglikelihoodRequest pair{row.string_field("context"), row.string_field("continuation")};
        if (pair.continuation.empty())
          row.fail("continuation", "is empty: there is nothing to score");
        examples.push_back(std::move(pair));
      });
  return examples;
}

TaskResult run_loglikelihood_task(const TaskEnv& env, const TaskSettings& settings) {
  return score_continuations(env, settings,
                             load_loglikelihood_pairs(settings.data, settings.limit));
}

}  // namespace gpt2
