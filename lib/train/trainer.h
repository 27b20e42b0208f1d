#pragma once
// The one training loop: `gpt2 train` and the tests call train().
//
//   for each step: lr from the schedule; accumulate gradients over micro-batches (autocast on
//   CUDA); average them over ranks; skip the step when the loss or a gradient is not finite;
//   clip by global norm; AdamW; log; evaluate on the fixed validation batches every
//   eval_interval steps (keep-best, early stopping); checkpoint; stop cleanly on SIGINT/SIGTERM.
//
// Exact resume: a checkpoint holds the fp32 weights, the optimizer state, the data position
// and the counters; dropout draws from torch's generator reseeded at every step from (seed,
// rank, step), so a resumed run repeats an uninterrupted one bit for bit on CPU.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "data/data_config.h"
#include "model/model_config.h"
#include "runtime/runtime_config.h"
#include "tokenizer/tokenizer_config.h"
#include "train/train_config.h"

namespace gpt2 {

struct TrainSections {
  RuntimeConfig runtime;
  ModelConfig model;  // used when train.init_from is not a directory (scratch or a preset the
                      // caller layered under this section)
  TokenizerConfig tokenizer;
  DataConfig data;
  TrainConfig train;
};

// The sections `gpt2 train` reads (and its config.yaml holds), in that order.
inline std::vector<SectionRef> train_section_refs(TrainSections& s) {
  return {section_ref(s.runtime), section_ref(s.model), section_ref(s.tokenizer),
          section_ref(s.data), section_ref(s.train)};
}

struct TrainOptions {
  bool resume = false;  // continue from the newest checkpoint in train.out_dir
  // Tests: returns true for steps whose loss is to be made NaN (exercises the skip logic).
  std::function<bool(int64_t step)> poison_step;
  // Called on every rank after each optimiser step (step = steps done, mean loss over ranks).
  std::function<void(int64_t step, double loss)> on_step;
};

struct TrainResult {
  int64_t steps = 0;  // optimiser steps done in total (including before a resume)
  int64_t tokens = 0;
  double last_train_loss = std::numeric_limits<double>::quiet_NaN();
  double last_val_loss = std::numeric_limits<double>::quiet_NaN();
  double best_val_loss = std::numeric_limits<double>::quiet_NaN();
  int64_t best_step = -1;
  int64_t skipped_steps = 0;  // non-finite
  bool interrupted = false;   // SIGINT/SIGTERM or request_stop()
  bool early_stopped = false;
  double seconds = 0;  // this session's wall time
  double tokens_per_second = 0;
  std::string run_dir, last_checkpoint;
  std::string summary() const;  // a few lines for the terminal
};

// The merged configuration as YAML (what RUN_DIR/config.yaml holds).
std::string dump_train_config(TrainSections& sections);

// Trains; only rank 0 writes to train.out_dir. Throws Error on bad configuration, on data that
// does not fit the model, and after train.max_nonfinite non-finite steps in a row.
TrainResult train(TrainSections sections, const TrainOptions& options = {});

}  // namespace gpt2
