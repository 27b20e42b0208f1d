#pragma once
// What the trainer leaves in the run directory for people and tools watching it, beside
// log.jsonl: TensorBoard event files, report.html and a Hugging Face-style
// trainer_state.json. The trainer calls it at its log, evaluation and checkpoint points; only
// the writing rank has one.
#include <cstdint>
#include <memory>
#include <string>

#include "io/run_directory.h"

namespace gpt2 {

class TensorBoardWriter;

struct RunWatchInfo {
  double grad_clip = 0;
  int64_t max_steps = 0, log_interval = 0, eval_interval = 0, checkpoint_interval = 0;
  int64_t sequences_per_step = 0;
  double flops_per_token = 0;
  double num_train_epochs = 0;  // the planned steps' passes over the training data
};

// Where the run stands, for trainer_state.json.
struct RunProgress {
  int64_t step = 0, tokens_seen = 0;
  double best_val_loss = 0;  // not finite = none yet
  int64_t best_step = -1;
  double epoch = 0;  // passes over the training data so far (TrainBatches::epochs_seen)
};

class RunWatch {
 public:
  // resume_step >= 0: a resumed run; the events of later steps (written after its checkpoint)
  // are dropped from the earlier events files, as log.jsonl's rows are.
  RunWatch(const RunDirectory& run, RunWatchInfo info, int64_t resume_step);
  ~RunWatch();

  // Steps whose update the network-health probe measures: the evaluation steps.
  bool health_due(int64_t step) const;
  // A row the trainer logged: train and eval rows become TensorBoard scalars.
  void logged(const LogRow& row);
  // Rewrites report.html and trainer_state.json (atomically) from log.jsonl.
  void refresh(const RunProgress& progress) const;

 private:
  const RunDirectory& run_;
  RunWatchInfo info_;
  std::unique_ptr<TensorBoardWriter> events_;
};

}  // namespace gpt2
