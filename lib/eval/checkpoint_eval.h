#pragma once
// Perplexity of several models (or every checkpoint of a run) on several data files, as one
// table, JSON/CSV files and an HTML report with perplexity against training step.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_config.h"
#include "eval/perplexity.h"
#include "io/inference_weights.h"

namespace gpt2 {

struct ModelEntry {
  std::string dir;      // model directory (config.json + model.safetensors)
  std::string name;     // shown in tables: the directory, relative to the run for checkpoints
  int64_t step = -1;    // training step, from the checkpoint's folder name; -1 when unknown
  std::string adapter;  // a LoRA adapter directory applied to `dir` (the base); "" = none
};

// Each path is a model directory, or a folder holding model directories (a run: every
// checkpoint below it, ordered by step). A LoRA run's checkpoints (adapter directories whose
// base_model_name_or_path is a model directory) count as that base plus the adapter. Throws
// Error for a path with no model in it.
std::vector<ModelEntry> expand_model_paths(const std::vector<std::string>& paths);

struct EvalRow {
  ModelEntry model;
  std::string data;       // the data file
  std::string signature;  // ppl|ctx:...|stride:...|tok:...
  PerplexityResult result;
};

// Evaluates every model on every data file. A data file is raw UTF-8 text (tokenized with
// the model's own tokenizer) or a token shard written by `gpt2 prepare`.
// `how` gives the weights' dtype and device (each entry's adapter is its own).
std::vector<EvalRow> evaluate_models(const std::vector<ModelEntry>& models,
                                     const std::vector<std::string>& data_files,
                                     const EvalConfig& config, const InferenceWeights& how = {});

// Terminal table, and the files: eval.json, eval.csv, report.html in `out_dir`.
std::string eval_table_text(const std::vector<EvalRow>& rows);
void write_eval_outputs(const std::vector<EvalRow>& rows, const std::string& out_dir);

}  // namespace gpt2
