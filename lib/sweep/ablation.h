#pragma once
// Runs an ablation grid with `gpt2 train` (and `gpt2 eval`) as child processes: every run in
// its own directory, finished runs skipped, interrupted runs resumed (`gpt2 train --resume`),
// so killing and restarting the sweep loses nothing.
#include <string>
#include <vector>

#include "sweep/ablation_plan.h"

namespace gpt2 {

enum class RunState { done, resume, fresh };

struct PlannedRun {
  RunSpec spec;
  std::string dir;
  RunState state = RunState::fresh;
};

// The runs of the grid and what is left to do for each, from what is on disk.
std::vector<PlannedRun> plan_ablation(const AblationConfig& config, const std::vector<Axis>& axes);

// A table of the plan: run, state, overrides (for --dry-run).
std::string plan_text(const std::vector<PlannedRun>& runs);

// Trains (and evaluates) every run not done yet, config.jobs at a time, splitting `threads`
// cores between them. Returns false when interrupted or when a run failed (see its
// train.log); finished runs are marked done and skipped next time.
bool run_ablation(const AblationConfig& config, const std::vector<PlannedRun>& runs,
                  const std::string& gpt2_program, int64_t threads);

// The marker a finished run gets.
std::string done_marker(const std::string& run_dir);

}  // namespace gpt2
