// The task registry (one line per task) and the one way a task is run.
#include <cmath>

#include "core/error.h"
#include "core/sha256.h"
#include "core/strings.h"
#include "eval/tasks/hellaswag.h"
#include "eval/tasks/lambada.h"
#include "eval/tasks/loglikelihood_task.h"
#include "eval/tasks/multiple_choice.h"
#include "eval/tasks/task.h"
#include "eval/tasks/wikitext.h"
#include "io/checkpoint.h"
#include "io/inference_model.h"
#include "model/gpt2_model.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2 {

const std::vector<TaskEntry>& task_registry() {
  static const std::vector<TaskEntry> tasks = {
      {"hellaswag", "hellaswag_val.jsonl (ctx_a, ctx_b, ctx, endings, label, activity_label)",
       "acc acc_norm acc_bytes acc_token", run_hellaswag},
      {"lambada", "lambada_test.jsonl ({\"text\": ...}, OpenAI's LAMBADA)", "acc ppl", run_lambada},
      {"multiple_choice", "JSON lines {\"context\", \"choices\", \"label\"}",
       "acc acc_norm acc_bytes acc_token", run_multiple_choice},
      {"loglikelihood", "JSON lines {\"context\", \"continuation\"}",
       "logprob greedy ppl token_ppl", run_loglikelihood_task},
      {"wikitext", "raw WikiText (wiki.test.raw) or JSON lines {\"page\"}",
       "word_perplexity byte_perplexity bits_per_byte", run_wikitext},
  };
  return tasks;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const auto& t : task_registry()) names.push_back(t.name);
  return names;
}

const TaskEntry& find_task(const std::string& name) {
  for (const auto& t : task_registry())
    if (name == t.name) return t;
  const std::string close = closest_match(name, task_names());
  throw Error("unknown task \"" + name + "\"" +
              (close.empty() ? std::string() : " (did you mean " + close + "?)") +
              "; tasks: " + join(task_names(), ", "));
}

TaskMetric mean_metric(const std::string& name, const std::vector<double>& values) {
  TaskMetric m{name, 0};
  const double n = double(values.size());
  if (values.empty()) return m;
  for (double v : values) m.value += v;
  m.value /= n;
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - m.value) * (v - m.value);
    m.std_error = std::sqrt(ss / (n - 1)) / std::sqrt(n);
  }
  return m;
}

TaskResult run_task_on(const TaskEnv& env, const std::string& model_name, const std::string& task,
                       const TaskSettings& settings) {
  const TaskEntry& entry = find_task(task);
  require(!settings.data.empty(), "task " + task + " needs a data file: " + entry.help);
  const std::string sha = sha256_file(settings.data);
  TaskResult result = entry.run(env, settings);
  result.task = task;
  result.data = settings.data;
  result.model = model_name;
  result.data_sha256 = sha;
  const int64_t window =
      settings.scoring.window > 0 ? settings.scoring.window : env.model.config().n_positions;
  result.signature = task + "|data:sha256:" + sha.substr(0, 16) + "|" + result.normalisation +
                     "|ctx:" + std::to_string(window) + "|tok:" + env.tokenizer.kind() +
                     "|model:" + model_name +
                     (settings.limit > 0 ? "|limit:" + std::to_string(settings.limit) : "");
  return result;
}

TaskResult run_task(const std::string& model_dir, const std::string& model_name,
                    const std::string& task, const TaskSettings& settings,
                    const InferenceWeights& how) {
  const TaskEntry& entry = find_task(task);
  require(!settings.data.empty(), "task " + task + " needs a data file: " + entry.help);
  auto model = load_inference_model(model_dir, how);
  auto tokenizer = load_tokenizer(model_dir);
  TaskSettings with_progress = settings;
  if (with_progress.scoring.progress_label.empty())
    with_progress.scoring.progress_label = task + " " + model_name;
  return run_task_on(TaskEnv{*model, *tokenizer}, model_name, task, with_progress);
}

}  // namespace gpt2
