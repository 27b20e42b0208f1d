#pragma once
// A Hugging Face-style RUN_DIR/trainer_state.json (the fields of transformers' TrainerState),
// so tools that read HF runs read ours. It is a view for those tools only: exact resume uses
// each checkpoint's own trainer_state.json/.pt (io/trainer_state.h), which is why this one is
// written in the run directory and not in the checkpoints.
#include <cstdint>
#include <string>
#include <vector>

#include "io/run_log.h"

namespace gpt2 {

struct HfTrainerStateInfo {
  int64_t global_step = 0;
  double epoch = 0;             // passes over the training data so far (1.5 = one and a half)
  double num_train_epochs = 0;  // the passes max_steps make
  int64_t max_steps = 0;
  int64_t logging_steps = 0, eval_steps = 0, save_steps = 0;
  int64_t train_batch_size = 0;  // sequences per optimiser step
  int64_t num_input_tokens_seen = 0;
  double total_flos = 0;
  double best_metric = 0;             // best validation loss; NaN = none yet (null)
  int64_t best_global_step = -1;      // -1 = none (null)
  std::string best_model_checkpoint;  // "" = none (null)
};

// The JSON text (HF's layout: keys sorted, 2-space indent). log_history holds one entry per
// train row ({step, loss, learning_rate, grad_norm}) and per eval row ({step, eval_loss,
// eval_perplexity}) of `log`, in order; non-finite numbers are left out of an entry.
std::string hf_trainer_state_json(const HfTrainerStateInfo& info,
                                  const std::vector<RunLogRow>& log);

}  // namespace gpt2
