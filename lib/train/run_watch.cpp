#include "train/run_watch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/files.h"
#include "core/strings.h"
#include "io/hf_trainer_state.h"
#include "io/run_log.h"
#include "io/tensorboard_writer.h"
#include "train/run_report.h"

namespace gpt2 {
namespace {

// TensorBoard tags for the numbers of a train row; the others (tokens, seconds, loss scale)
// are in log.jsonl only.
const std::pair<const char*, const char*> kTrainTags[] = {{"loss", "train/loss"},
                                                          {"lr", "lr"},
                                                          {"grad_norm", "grad_norm"},
                                                          {"tokens_per_s", "tokens_per_s"},
                                                          {"mfu", "mfu"}};

}  // namespace

RunWatch::RunWatch(const RunDirectory& run, RunWatchInfo info, int64_t resume_step)
    : run_(run), info_(info) {
  if (resume_step >= 0) {
    const int64_t dropped = truncate_tensorboard_events(run_.root(), resume_step);
    if (dropped > 0)
      std::fprintf(stderr, "train: dropped %ld TensorBoard event(s) after step %ld (resumed)\n",
                   long(dropped), long(resume_step));
  }
  events_ = std::make_unique<TensorBoardWriter>(run_.root());
}

RunWatch::~RunWatch() = default;

bool RunWatch::health_due(int64_t step) const {
  return (info_.eval_interval > 0 && step % info_.eval_interval == 0) || step == info_.max_steps;
}

void RunWatch::logged(const LogRow& row) {
  Scalars scalars;
  if (row.kind == "train") {
    for (const auto& [key, value] : row.numbers)
      for (const auto& [ours, tag] : kTrainTags)
        if (key == ours) scalars.emplace_back(tag, value);
  } else if (row.kind == "eval") {
    // val_loss -> val/loss, val_ppl -> val/ppl; task metrics keep their names under val/.
    for (const auto& [key, value] : row.numbers)
      if (key != "lr")
        scalars.emplace_back("val/" + (starts_with(key, "val_") ? key.substr(4) : key), value);
  }
  if (!scalars.empty()) events_->scalars(row.step, scalars);
}

void RunWatch::refresh(const RunProgress& progress) const {
  const std::vector<RunLogRow> log = read_run_log(run_.log_path());
  const std::vector<int64_t> kept = run_.checkpoint_steps();
  const bool best_kept = std::find(kept.begin(), kept.end(), progress.best_step) != kept.end();

  RunReportInput report;
  report.run_dir = run_.root();
  report.log = log;
  report.config_yaml = file_exists(run_.config_path()) ? read_file(run_.config_path()) : "";
  report.checkpoint_steps = kept;
  report.best_step = progress.best_step;
  report.max_steps = info_.max_steps;
  report.grad_clip = info_.grad_clip;

  HfTrainerStateInfo hf;
  hf.global_step = progress.step;
  hf.epoch = progress.epoch;
  hf.num_train_epochs = info_.num_train_epochs;
  hf.max_steps = info_.max_steps;
  hf.logging_steps = info_.log_interval;
  hf.eval_steps = info_.eval_interval;
  hf.save_steps = info_.checkpoint_interval > 0 ? info_.checkpoint_interval : info_.eval_interval;
  hf.train_batch_size = info_.sequences_per_step;
  hf.num_input_tokens_seen = progress.tokens_seen;
  hf.total_flos = info_.flops_per_token * double(progress.tokens_seen);
  hf.best_metric = std::isfinite(progress.best_val_loss) ? progress.best_val_loss : NAN;
  hf.best_global_step = std::isfinite(progress.best_val_loss) ? progress.best_step : -1;
  if (best_kept) hf.best_model_checkpoint = run_.checkpoint_dir(progress.best_step);

  write_file_atomic(run_.root() + "/report.html", run_report_html(report));
  write_file_atomic(run_.root() + "/trainer_state.json", hf_trainer_state_json(hf, log));
}

}  // namespace gpt2
