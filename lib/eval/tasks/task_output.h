#pragma once
// Task results as a terminal table, tasks.json + tasks.csv + report.html (the table, and each
// task metric against the training step over a run's checkpoints), and the per-example samples
// as JSON lines.
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

// One row per model, task and metric (value ± standard error), then each signature.
std::string task_table_text(const std::vector<TaskResult>& results);

// `out_dir`/tasks.json, tasks.csv and report.html, all or none.
void write_task_outputs(const std::vector<TaskResult>& results, const std::string& out_dir);

// Every sample of every result, one JSON object a line, each tagged with its task and model.
void write_task_samples(const std::vector<TaskResult>& results, const std::string& path);

}  // namespace gpt2
