#pragma once
// Zero-shot tasks (lm-evaluation-harness's): each reads its data file, turns every example into
// log-likelihood requests (eval/loglikelihood.h) and reduces the scores to metrics. A task is
// one file pair in lib/eval/tasks/ and one line in task_registry.cpp.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eval/loglikelihood.h"

namespace gpt2 {

struct InferenceWeights;  // io/inference_weights.h

class Tokenizer;

struct TaskSettings {
  std::string data;          // the task's data file
  int64_t limit = 0;         // first `limit` examples only; 0 = all
  bool log_samples = false;  // keep one JSON line per example in TaskResult::samples
  LoglikelihoodOptions scoring;
};

// What a task scores with.
struct TaskEnv {
  GPT2LMHeadModelImpl& model;
  const Tokenizer& tokenizer;
};

struct TaskMetric {
  std::string name;
  double value = 0;
  double std_error = std::numeric_limits<double>::quiet_NaN();  // NaN: none (corpus-level)
};

struct TaskResult {
  std::string task, data, model;
  int64_t step = -1;  // training step of the checkpoint scored; -1 when unknown
  int64_t examples = 0;
  std::vector<TaskMetric> metrics;
  std::string normalisation;  // how scores were normalised, for the signature
  std::string signature;      // task|data sha256|normalisation|context|model
  std::string data_sha256;
  std::vector<std::string> samples;  // one JSON object per example, with log_samples
};

using TaskFunction = TaskResult (*)(const TaskEnv& env, const TaskSettings& settings);

struct TaskEntry {
  const char* name;
  const char* help;     // the data it reads
  const char* metrics;  // the names of the metrics it reports, space-separated, in order
  TaskFunction run;
};

const std::vector<TaskEntry>& task_registry();
std::vector<std::string> task_names();
// Throws Error naming the known tasks (and the closest) for an unknown name.
const TaskEntry& find_task(const std::string& name);

// Runs the task on a model already loaded (the trainer's), fills in data, model and the
// signature.
TaskResult run_task_on(const TaskEnv& env, const std::string& model_name, const std::string& task,
                       const TaskSettings& settings);

// Loads the model directory (load_inference_model: weights as `how` says) and its tokenizer,
// then run_task_on.
TaskResult run_task(const std::string& model_dir, const std::string& model_name,
                    const std::string& task, const TaskSettings& settings,
                    const InferenceWeights& how);

// Sample mean and its standard error (sample std / sqrt(n); NaN for n < 2).
TaskMetric mean_metric(const std::string& name, const std::vector<double>& values);

}  // namespace gpt2
