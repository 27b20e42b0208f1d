#pragma once
// What a checkpoint holds besides the model: the counters of the loop, the data position, the
// loss scaler and, in trainer_state.pt (a torch archive), the optimizer state and the torch
// generator states. trainer_state.json is human-readable and versioned.
#include <c10/core/Device.h>

#include <cstdint>
#include <limits>
#include <string>

namespace torch::optim {
class Optimizer;
}

namespace gpt2 {

struct TrainerState {
  int64_t step = 0;         // optimiser steps done (the next step's index)
  int64_t tokens_seen = 0;  // training tokens over all ranks
  double best_val_loss = std::numeric_limits<double>::infinity();
  int64_t best_step = -1;
  int64_t evals_since_best = 0;  // for early stopping
  int64_t nonfinite_in_row = 0;
  int64_t nonfinite_total = 0;
  double loss_scale = 1.0;
  int64_t loss_scale_growth = 0;
  double elapsed_seconds = 0;  // training time before this session
  int64_t world_size = 1;
  std::string data_state;  // the sampler's own JSON (RandomWindows::state() or epoch order)
};

// Writes <dir>/trainer_state.json and <dir>/trainer_state.pt (each atomically).
void save_trainer_state(const std::string& dir, const TrainerState& state,
                        torch::optim::Optimizer& optimizer);

// Reads both files back into `state` and `optimizer` (whose parameter groups must match) and
// restores the torch generator states. Throws Error naming the file when one is missing or
// does not fit.
// `device`: where the optimizer state goes (the parameters' device).
TrainerState load_trainer_state(const std::string& dir, torch::optim::Optimizer& optimizer,
                                c10::Device device = c10::Device(c10::kCPU));

// Serialising the counters alone (the JSON file's text), for tests and tools.
std::string trainer_state_json(const TrainerState& state);
TrainerState parse_trainer_state_json(const std::string& text, const std::string& where);

}  // namespace gpt2
