#include "eval/tasks/lambada.h"

#include "eval/tasks/continuation_scoring.h"
#include "eval/tasks/jsonl.h"

namespace gpt2 {

std::vector<LoglikelihoodRequest> load_lambada(const std::string& path, int64_t limit) {
  std::vector<LoglikelihoodRequest> examples;
  read_jsonl(path, "a LAMBADA row {\"text\": str} as in lambada_test.jsonl", limit,
             [&](const JsonlRow& row) {
               const std::string text = row.string_field("text");
               const size_t space = text.rfind(' ');
               if (space == std::string::npos || space + 1 == text.size())
                 row.fail("text", "does not end in a word after a space");
               examples.push_back({text.substr(0, space), text.substr(space)});
             });
  return examples;
}

TaskResult run_lambada(const TaskEnv& env, const TaskSettings& settings) {
  TaskResult result =
      score_continuations(env, settings, load_lambada(settings.data, settings.limit));
  // The harness's names: acc is the greedy match of the last word, ppl per example.
  std::vector<TaskMetric> metrics;
  for (const auto& m : result.metrics) {
    if (m.name == "greedy") metrics.push_back({"acc", m.value, m.std_error});
    if (m.name == "ppl") metrics.push_back(m);
  }
  result.metrics = metrics;
  result.normalisation = "ppl:per_example";
  return result;
}

}  // namespace gpt2
