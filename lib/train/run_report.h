#pragma once
// RUN_DIR/report.html: what a run did, from its log.jsonl, in one self-contained page (inline
// SVG, no scripts): train/val loss (linear and log-scaled steps), each train.eval_tasks metric
// against step, learning rate, gradient norm with the clipped steps marked, throughput,
// update/weight ratios, the checkpoints kept and the config.
#include <cstdint>
#include <string>
#include <vector>

#include "io/run_log.h"

namespace gpt2 {

struct RunReportInput {
  std::string run_dir;
  std::vector<RunLogRow> log;
  std::string config_yaml;
  std::vector<int64_t> checkpoint_steps;  // kept, ascending
  int64_t best_step = -1;
  int64_t max_steps = 0;
  double grad_clip = 0;  // 0 = off: no clip events
};

std::string run_report_html(const RunReportInput& input);

}  // namespace gpt2
