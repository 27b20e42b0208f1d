#pragma once
// Aggregates an ablation: final validation loss and perplexity per combination (mean and
// standard deviation over seeds) from each run's metrics.csv, test perplexity from its
// eval/eval.json; a table, results.csv, results.json and report.html with the curves.
#include <string>
#include <vector>

#include "sweep/ablation.h"

namespace gpt2 {

struct RunCurve {
  std::string run, group;
  std::vector<double> eval_steps, val_loss;     // evaluations
  std::vector<double> train_steps, train_loss;  // logged training steps
  double test_ppl = -1;                         // from eval/eval.json; -1 when absent
};

// Reads RUN/metrics.csv (columns step,kind,loss,val_loss,...) and RUN/eval/eval.json.
RunCurve read_run_curve(const PlannedRun& run);

struct GroupSummary {
  std::string group;
  int runs = 0;                                // seeds with at least one evaluation
  double val_loss_mean = 0, val_loss_std = 0;  // final validation loss over seeds
  double val_ppl = 0;                          // exp(mean final validation loss)
  double test_ppl_mean = -1;                   // mean over seeds; -1 when not evaluated
};

std::vector<GroupSummary> summarize_groups(const std::vector<RunCurve>& curves);

// Prints nothing; returns the table text and writes the files into out_dir.
std::string write_ablation_report(const std::vector<PlannedRun>& runs, const std::string& out_dir);

}  // namespace gpt2
