#pragma once
// Zero-shot tasks at the trainer's evaluations (train.eval_tasks): the task functions of
// `gpt2 eval --task`, run on the model being trained, reduced to "label/metric" numbers for
// the run's log rows (log.jsonl, metrics.csv, TensorBoard).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "eval/task_selection.h"

namespace gpt2 {

class GPT2LMHeadModelImpl;
class Tokenizer;

// The label of each selected task: its name, or name_<data file stem> where the selection
// names the task more than once (two multiple_choice files).
std::vector<std::string> task_log_labels(const TaskSelection& selection);

// Every key the selection logs, in order: label/metric for each metric the task declares
// (TaskEntry::metrics): the metrics.csv columns.
std::vector<std::string> task_log_keys(const TaskSelection& selection);

// Refuses, before training starts, a selection the trainer could not run: a missing data file
// or no tokenizer. `where` names the section ("train.eval_tasks").
void check_task_selection(const TaskSelection& selection, const Tokenizer* tokenizer,
                          const std::string& where);

// Runs every selected task on `model` (in eval mode, no grad, batch_size rows per pass, the
// model's whole window) and returns its metrics as (label/metric, value). The model is left in
// eval mode: the caller restores train mode.
std::vector<std::pair<std::string, double>> run_tasks_for_log(GPT2LMHeadModelImpl& model,
                                                              const Tokenizer& tokenizer,
                                                              const TaskSelection& selection,
                                                              int64_t batch_size);

}  // namespace gpt2
