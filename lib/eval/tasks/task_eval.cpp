#include "eval/tasks/task_eval.h"

#include "core/error.h"
#include "eval/tasks/task_output.h"

namespace gpt2 {

std::vector<TaskResult> evaluate_tasks(const std::vector<ModelEntry>& models,
                                       const EvalConfig& config, const InferenceWeights& how) {
  require(!models.empty(), "no model to evaluate: give --model DIR");
  require(!config.tasks.empty(), "no task to run: give --task NAME --data FILE");
  config.validate();
  TaskSettings settings;
  settings.limit = config.limit;
  settings.log_samples = !config.log_samples.empty();
  settings.scoring.batch_size = config.batch_size;
  settings.scoring.share_prefix = config.share_prefix;
  settings.scoring.window = config.context;
  std::vector<TaskResult> results;
  for (const auto& model : models) {
    for (size_t i = 0; i < config.tasks.size(); ++i) {
      settings.data = config.task_data[i];
      results.push_back(run_task(model.dir, model.name, config.tasks[i], settings, how));
      results.back().step = model.step;
    }
  }
  if (!config.log_samples.empty()) write_task_samples(results, config.log_samples);
  return results;
}

}  // namespace gpt2
