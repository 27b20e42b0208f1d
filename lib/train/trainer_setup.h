#pragma once
// Building what the loop trains: the tokenizer and the model, from scratch, from a model
// directory (fine-tuning) or from a checkpoint (resume), with the config's dropout.
#include <memory>
#include <string>
#include <vector>

#include "model/gpt2_model.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer.h"
#include "train/distributed.h"
#include "train/trainer.h"

namespace gpt2 {

struct PreparedModel {
  GPT2LMHeadModel model{nullptr};        // fp32 on the CPU
  std::unique_ptr<Tokenizer> tokenizer;  // null when the run has none
  std::string source;                    // for the log: "scratch", "directory X", ...
  std::vector<std::string> notes;        // adjustments worth telling the user
};

// The runtime a training process runs on: the config's, with this rank's GPU under data
// parallelism; refuses 16-bit runtime.dtype or runtime.weights (training keeps fp32 weights).
Runtime training_runtime(const RuntimeConfig& config, const DistributedEnv& env);

// checkpoint: the checkpoint to resume from, or "" for a fresh run.
PreparedModel prepare_model(const TrainSections& sections, const std::string& checkpoint);

}  // namespace gpt2
