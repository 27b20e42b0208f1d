#include "eval/tasks/training_tasks.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "eval/tasks/task.h"
#include "model/gpt2_model.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

std::vector<std::string> task_log_labels(const TaskSelection& selection) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < selection.tasks.size(); ++i) {
    const std::string& task = selection.tasks[i];
    const bool repeated = std::count(selection.tasks.begin(), selection.tasks.end(), task) > 1;
    std::string label = task;
    if (repeated && i < selection.task_data.size())
      label += "_" + std::filesystem::path(selection.task_data[i]).stem().string();
    // The same task on two files of one name still needs two keys.
    if (std::find(labels.begin(), labels.end(), label) != labels.end())
      label += "_" + std::to_string(i + 1);
    labels.push_back(label);
  }
  return labels;
}

std::vector<std::string> task_log_keys(const TaskSelection& selection) {
  std::vector<std::string> keys;
  const auto labels = task_log_labels(selection);
  for (size_t i = 0; i < selection.tasks.size(); ++i) {
    std::istringstream metrics(find_task(selection.tasks[i]).metrics);
    for (std::string metric; metrics >> metric;) keys.push_back(labels[i] + "/" + metric);
  }
  return keys;
}

void check_task_selection(const TaskSelection& selection, const Tokenizer* tokenizer,
                          const std::string& where) {
  selection.check(where);
  if (selection.tasks.empty()) return;
  require(tokenizer != nullptr, where +
                                    ": zero-shot tasks need the run's tokenizer; set "
                                    "tokenizer.path (or train from a model directory with one)");
  for (size_t i = 0; i < selection.tasks.size(); ++i) {
    const TaskEntry& entry = find_task(selection.tasks[i]);
    require(file_exists(selection.task_data[i]), where + ": the data file of task " + entry.name +
                                                     " (" + selection.task_data[i] +
                                                     ") does not exist; it reads " + entry.help);
  }
}

std::vector<std::pair<std::string, double>> run_tasks_for_log(GPT2LMHeadModelImpl& model,
                                                              const Tokenizer& tokenizer,
                                                              const TaskSelection& selection,
                                                              int64_t batch_size) {
  TaskSettings settings;
  settings.limit = selection.limit;
  settings.scoring.batch_size = batch_size;
  settings.scoring.share_prefix = selection.share_prefix;
  const auto labels = task_log_labels(selection);
  std::vector<std::pair<std::string, double>> numbers;
  for (size_t i = 0; i < selection.tasks.size(); ++i) {
    settings.data = selection.task_data[i];
    const TaskResult result =
        run_task_on(TaskEnv{model, tokenizer}, "training", selection.tasks[i], settings);
    for (const TaskMetric& m : result.metrics)
      numbers.emplace_back(labels[i] + "/" + m.name, m.value);
  }
  return numbers;
}

}  // namespace gpt2
