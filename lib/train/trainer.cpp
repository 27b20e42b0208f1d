#include "train/trainer.h"

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "core/progress.h"
#include "core/strings.h"
#include "core/tokens.h"
#include "eval/scorer.h"
#include "eval/tasks/training_tasks.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "io/run_directory.h"
#include "io/trainer_state.h"
#include "report/table.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"
#include "train/device_batch.h"
#include "train/distributed.h"
#include "train/flops.h"
#include "train/grad_utils.h"
#include "train/loss_scaler.h"
#include "train/lr_schedule.h"
#include "train/network_health.h"
#include "train/param_groups.h"
#include "train/precision.h"
#include "train/run_watch.h"
#include "train/signals.h"
#include "train/thread_split.h"
#include "train/train_data.h"
#include "train/trainer_setup.h"

namespace gpt2 {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Dropout's generator, reseeded every step so a resumed run draws what the original drew.
uint64_t step_seed(int64_t seed, int rank, int64_t step) {
  uint64_t x = uint64_t(seed) * 0x9E3779B97F4A7C15ull ^ (uint64_t(rank) << 48) ^ uint64_t(step);
  x ^= x >> 33;  // splitmix-style finaliser: nearby steps get unrelated seeds
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

// metrics.csv: the trainer's numbers, then each train.eval_tasks metric.
std::vector<std::string> csv_columns(const TrainConfig& tc) {
  std::vector<std::string> columns = {"loss",   "val_loss",     "val_ppl", "lr",     "grad_norm",
                                      "tokens", "tokens_per_s", "mfu",     "seconds"};
  for (const std::string& key : task_log_keys(tc.eval_tasks)) columns.push_back(key);
  return columns;
}

std::string format_lr(double lr) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2e", lr);
  return buffer;
}

}  // namespace

namespace {

// One training run, read top to bottom: set-up (constructor), then run()'s loop of step(),
// log(), evaluate() and save_checkpoint().
class Trainer {
 public:
  Trainer(TrainSections sections, const TrainOptions& options);
  TrainResult run();

 private:
  struct StepOutcome {
    double loss = 0, lr = 0, grad_norm = 0;
    bool stop = false;  // a rank asked to stop (SIGINT/SIGTERM)
  };

  void resume_or_start();
  void print_banner() const;
  SplitBackward make_split_backward();
  StepOutcome step();
  void stop_if_nonfinite_too_long() const;
  void log(const StepOutcome& outcome, bool last_step);
  bool evaluate_and_log(double lr);  // true when the validation loss improved
  double evaluate();
  std::vector<std::pair<std::string, double>> evaluate_tasks();
  void save_checkpoint();
  void finish();
  void refresh_watch() const;  // report.html, trainer_state.json

  TrainSections s_;
  const TrainConfig& tc_ = s_.train;
  const TrainOptions& options_;
  const DistributedEnv env_;
  Runtime runtime_;
  c10::Device device_;
  Precision precision_;
  Distributed dist_;
  const bool main_;
  const int world_;
  RunDirectory run_;
  std::string checkpoint_;  // resumed from; empty for a new run
  PreparedModel prepared_;
  GPT2LMHeadModel model_{nullptr};
  std::vector<at::Tensor> params_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::unique_ptr<LrSchedule> schedule_;
  std::unique_ptr<LossScaler> scaler_;
  std::unique_ptr<TrainBatches> data_;
  std::vector<Batch> val_batches_;
  int64_t accum_ = 1, step_tokens_ = 0;
  SplitBackward split_;  // one micro-batch's forward and backward
  int64_t slices_ = 1;   // its rows' slices, one per thread (thread_split.h)
  int optimizer_threads_ = 1;
  double flops_per_token_ = 0, peak_flops_ = 0;
  TrainerState state_;
  TrainResult result_;
  c10::ScalarType save_dtype_;
  int64_t saved_step_ = -1;

  // Progress of this session (a resumed run counts from its checkpoint).
  int64_t start_step_ = 0;
  double elapsed_before_ = 0;
  std::unique_ptr<ProgressBar> progress_;
  Clock::time_point session_start_, log_start_;
  int64_t log_tokens_ = 0;
  double mfu_ = 0;

  // Watching the run (rank 0): TensorBoard events, report.html, network health.
  std::unique_ptr<RunWatch> watch_;
  NamedTensors named_params_;
  HealthProbe health_;
};

Trainer::Trainer(TrainSections sections, const TrainOptions& options)
    : s_(std::move(sections)),
      options_(options),
      env_(distributed_env_from_environment()),
      runtime_(training_runtime(s_.runtime, env_)),
      device_(runtime_.device),
      precision_(resolve_precision(tc_.precision, device_)),
      dist_(env_, tc_.backend, device_),
      main_(dist_.is_main()),
      world_(dist_.world_size()),
      run_(tc_.out_dir, csv_columns(tc_)),
      save_dtype_(parse_dtype(tc_.save_dtype)) {
  if (options_.resume) {
    checkpoint_ = run_.latest_checkpoint();
    require(!checkpoint_.empty(), tc_.out_dir + " holds no complete checkpoint to resume from");
  } else {
    require(run_.checkpoint_steps().empty(),
            tc_.out_dir +
                " already holds checkpoints of a run; resume it with gpt2 train "
                "--resume " +
                tc_.out_dir + " or choose another train.out_dir");
  }

  prepared_ = prepare_model(s_, checkpoint_);
  check_task_selection(tc_.eval_tasks, prepared_.tokenizer.get(), "train.eval_tasks");
  model_ = prepared_.model;
  model_->to(device_);
  model_->train();
  for (const auto& p : model_->parameters())
    if (p.requires_grad()) params_.push_back(p);  // with an adapter, its weights alone
  ParamGroups groups = split_param_groups(*model_);
  optimizer_ = make_adamw(groups, {tc_.lr, tc_.weight_decay, tc_.beta1, tc_.beta2, tc_.eps});
  ScheduleParams sp;
  sp.lr = tc_.lr;
  sp.min_lr = tc_.min_lr;
  sp.warmup_steps = tc_.warmup_steps;
  sp.decay_steps = tc_.decay_steps;
  sp.total_steps = tc_.max_steps;
  sp.cooldown_fraction = tc_.cooldown_fraction;
  schedule_ = make_schedule(tc_.schedule, sp);
  scaler_ =
      std::make_unique<LossScaler>(precision_.loss_scaling, tc_.loss_scale, tc_.loss_scale_window);

  data_ = make_train_batches(s_.data, prepared_.tokenizer.get(), dist_.rank(), world_);
  val_batches_ = make_val_batches(s_.data, prepared_.tokenizer.get(), tc_.eval_batches);

  const int64_t micro_tokens = s_.data.batch_size * s_.data.block_size * world_;
  accum_ = tc_.batch_tokens == 0 ? 1 : tc_.batch_tokens / micro_tokens;
  require(tc_.batch_tokens % micro_tokens == 0 && accum_ >= 1,
          "train.batch_tokens (" + std::to_string(tc_.batch_tokens) +
              ") must be a multiple of data.batch_size * data.block_size * ranks = " +
              std::to_string(micro_tokens) + " (e.g. " +
              std::to_string(micro_tokens * std::max<int64_t>(1, tc_.batch_tokens / micro_tokens)) +
              ")");
  step_tokens_ = micro_tokens * accum_;
  split_ = make_split_backward();

  resume_or_start();
  dist_.broadcast(params_, tc_.bucket_mb * (1 << 20));

  int64_t adapter_weights = -1;  // a full fine-tune trains every weight
  if (tc_.adapter.enabled()) {
    adapter_weights = 0;
    for (const auto& p : params_) adapter_weights += p.numel();
  }
  flops_per_token_ =
      training_flops_per_token(model_->config(), s_.data.block_size, adapter_weights);
  peak_flops_ =
      tc_.peak_flops > 0
          ? tc_.peak_flops
          : measure_matmul_flops(device_, precision_.autocast ? precision_.dtype : c10::kFloat);
  print_banner();
  result_.run_dir = tc_.out_dir;
  if (main_) {
    RunWatchInfo info{tc_.grad_clip,           tc_.max_steps,
                      tc_.log_interval,        tc_.eval_interval,
                      tc_.checkpoint_interval, s_.data.batch_size * accum_ * world_,
                      flops_per_token_};
    info.num_train_epochs =
        double(tc_.max_steps * info.sequences_per_step) / data_->sequences_per_epoch();
    watch_ = std::make_unique<RunWatch>(run_, info, checkpoint_.empty() ? -1 : state_.step);
    for (const auto& item : model_->named_parameters())
      named_params_.emplace_back(item.key(), item.value());
  }
}

void Trainer::resume_or_start() {
  state_.world_size = world_;
  if (checkpoint_.empty()) {
    if (main_) run_.write_config(dump_train_config(s_));
    return;
  }
  state_ = load_trainer_state(checkpoint_, *optimizer_, device_);
  data_->restore(state_.data_state);
  scaler_->restore(state_.loss_scale, state_.loss_scale_growth);
  if (state_.world_size != world_)
    prepared_.notes.push_back("the checkpoint was written by " + std::to_string(state_.world_size) +
                              " rank(s), this run has " + std::to_string(world_) +
                              ": batches will differ from the original");
  state_.world_size = world_;
  if (main_) run_.truncate_logs(state_.step);
}

void Trainer::print_banner() const {
  if (!main_) return;
  const ModelConfig& mc = model_->config();
  const std::string ranks =
      world_ > 1 ? std::to_string(world_) + " rank(s) over " + dist_.backend() : "1 process";
  std::fprintf(stderr, "train: %s, %s parameters, %s on %s, %s, threads %ld\n",
               prepared_.source.c_str(), human_count(double(mc.parameter_count())).c_str(),
               precision_.name.c_str(), device_.str().c_str(), ranks.c_str(),
               long(runtime_.threads));
  std::fprintf(stderr,
               "train: %s; %ld tokens/step (%ld x %ld x %d ranks x %ld accum); %zu "
               "validation batches\n",
               data_->describe().c_str(), long(step_tokens_), long(s_.data.batch_size),
               long(s_.data.block_size), world_, long(accum_), val_batches_.size());
  for (const auto& note : prepared_.notes) std::fprintf(stderr, "train: note: %s\n", note.c_str());
  if (!prepared_.tokenizer)
    std::fprintf(stderr,
                 "train: note: no tokenizer (set tokenizer.path); checkpoints will "
                 "hold the model only\n");
}

TrainResult Trainer::run() {
  StopSignalGuard signal_guard;
  start_step_ = state_.step;
  elapsed_before_ = state_.elapsed_seconds;
  if (main_ && tc_.progress)
    progress_ =
        std::make_unique<ProgressBar>("train", double(tc_.max_steps - start_step_), "steps");
  session_start_ = log_start_ = Clock::now();

  while (state_.step < tc_.max_steps) {
    const StepOutcome outcome = step();
    stop_if_nonfinite_too_long();
    const bool last_step = state_.step == tc_.max_steps;
    log(outcome, last_step);
    const bool improved =
        ((tc_.eval_interval > 0 && state_.step % tc_.eval_interval == 0) || last_step) &&
        evaluate_and_log(outcome.lr);
    state_.elapsed_seconds = elapsed_before_ + seconds_since(session_start_);
    const bool early = tc_.patience > 0 && state_.evals_since_best >= tc_.patience;
    const bool on_schedule = tc_.checkpoint_interval > 0
                                 ? state_.step % tc_.checkpoint_interval == 0
                                 : tc_.eval_interval > 0 && state_.step % tc_.eval_interval == 0;
    // No scheduled checkpoint inside a run of skipped steps: the last good one stays the newest.
    const bool healthy = state_.nonfinite_in_row == 0;
    if (outcome.stop ||
        (healthy && (on_schedule || last_step || early || (improved && tc_.keep_best))))
      save_checkpoint();
    if (outcome.stop) {
      result_.interrupted = true;
      break;
    }
    if (early) {
      result_.early_stopped = true;
      break;
    }
  }
  if (state_.step > start_step_ && saved_step_ != state_.step) save_checkpoint();
  finish();
  return result_;
}

// The micro-batch's loss under autocast, its test hook and loss scaling; and how many row
// slices it runs in: one per CPU thread (thread_split.h).
SplitBackward Trainer::make_split_backward() {
  SplitBackward split;
  split.loss_of = [this](const at::Tensor& inputs, const at::Tensor& targets) {
    AutocastScope autocast(precision_, device_);
    ForwardArgs args;
    args.targets = targets;
    args.ignore_index = kIgnoreIndex;
    return model_->forward(inputs, args).loss;  // ()
  };
  split.reported = [this](const at::Tensor& loss) {
    return options_.poison_step && options_.poison_step(state_.step) ? loss * NAN : loss;
  };
  split.differentiated = [this](const at::Tensor& loss) { return scaler_->scale_loss(loss); };
  optimizer_threads_ =
      device_.is_cpu() ? optimizer_threads(params_, at::get_num_threads()) : at::get_num_threads();
  if (tc_.thread_split && device_.is_cpu()) {
    double parameter_bytes = 0;
    for (const auto& p : params_) parameter_bytes += double(p.numel() * p.element_size());
    slices_ = split_slices(s_.data.batch_size, at::get_num_threads(), parameter_bytes,
                           physical_memory_bytes());
  }
  return split;
}

Trainer::StepOutcome Trainer::step() {
  const int64_t step = state_.step;
  const int64_t vocab_size = model_->config().vocab_size;
  StepOutcome outcome;
  const uint64_t seed = step_seed(s_.runtime.seed, dist_.rank(), step);
  at::manual_seed(seed);
  outcome.lr = schedule_->lr(step);
  set_learning_rate(*optimizer_, outcome.lr);
  zero_grads(params_);
  double loss_sum = 0;
  bool local_nonfinite = false;
  for (int64_t micro = 0; micro < accum_; ++micro) {
    DeviceBatch b = to_device(data_->next(), device_, vocab_size);
    const double value =
        split_forward_backward(split_, b.inputs, b.targets, params_, 1.0 / double(accum_), slices_,
                               kIgnoreIndex, seed ^ (uint64_t(micro) << 32));
    local_nonfinite |= !std::isfinite(value);
    loss_sum += value;
  }
  dist_.average_gradients(params_, tc_.bucket_mb * (1 << 20));
  // One all-reduce for the step's loss, non-finite flag and stop request of every rank.
  at::Tensor stats = at::tensor({local_nonfinite ? 0.0 : loss_sum, local_nonfinite ? 1.0 : 0.0,
                                 stop_requested() ? 1.0 : 0.0},
                                at::kDouble)
                         .to(device_);  // (3)
  dist_.all_reduce_sum(stats);
  stats = stats.cpu();
  const bool any_nonfinite = stats[1].item<double>() > 0;
  outcome.stop = stats[2].item<double>() > 0;
  outcome.loss = any_nonfinite ? NAN : stats[0].item<double>() / world_;

  ThreadCountScope optimizer_threads(optimizer_threads_);
  bool finite = scaler_->unscale(params_) && !any_nonfinite;
  outcome.grad_norm = global_grad_norm(params_);
  finite = finite && std::isfinite(outcome.grad_norm);
  const bool apply = scaler_->update(finite);
  if (apply) {
    if (watch_ && watch_->health_due(step + 1)) health_.before_update(named_params_);
    clip_grads(params_, outcome.grad_norm, tc_.grad_clip);
    optimizer_->step();
    if (health_.armed()) run_.log(health_row(step + 1, health_.after_update(named_params_)));
    state_.nonfinite_in_row = 0;
  } else if (!scaler_->enabled() || any_nonfinite) {
    ++state_.nonfinite_in_row;
    ++state_.nonfinite_total;
    if (main_)
      run_.log({"event",
                step + 1,
                {{"nonfinite_in_row", double(state_.nonfinite_in_row)}},
                {{"message", "non-finite loss or gradient: step skipped"}}});
  }
  state_.step = step + 1;
  state_.tokens_seen += step_tokens_;
  log_tokens_ += step_tokens_;
  result_.last_train_loss = outcome.loss;
  if (options_.on_step) options_.on_step(state_.step, outcome.loss);
  return outcome;
}

void Trainer::stop_if_nonfinite_too_long() const {
  if (state_.nonfinite_in_row < tc_.max_nonfinite) return;
  std::string last = run_.latest_checkpoint();
  throw Error("training stopped: " + std::to_string(state_.nonfinite_in_row) +
              " non-finite losses/gradients in a row (up to step " + std::to_string(state_.step) +
              "). " +
              (last.empty() ? "No checkpoint was written yet."
                            : "The last good checkpoint is " + last + ".") +
              " Lower train.lr, raise train.warmup_steps or check the data, then resume "
              "with gpt2 train --resume " +
              tc_.out_dir);
}

void Trainer::log(const StepOutcome& outcome, bool last_step) {
  if (main_ && (state_.step % tc_.log_interval == 0 || last_step || state_.step == 1)) {
    double seconds = seconds_since(log_start_);
    double tokens_per_s = seconds > 0 ? double(log_tokens_) / seconds : 0;
    mfu_ = peak_flops_ > 0 ? flops_per_token_ * tokens_per_s / world_ / peak_flops_ : 0;
    const LogRow row{"train",
                     state_.step,
                     {{"loss", outcome.loss},
                      {"lr", outcome.lr},
                      {"grad_norm", outcome.grad_norm},
                      {"tokens", double(state_.tokens_seen)},
                      {"tokens_per_s", tokens_per_s},
                      {"mfu", mfu_},
                      {"seconds", elapsed_before_ + seconds_since(session_start_)},
                      {"loss_scale", scaler_->scale()}},
                     {}};
    run_.log(row);
    watch_->logged(row);
    log_start_ = Clock::now();
    log_tokens_ = 0;
  }
  if (progress_) {
    char extra[160];
    std::snprintf(extra, sizeof extra, "step %ld  loss %.4f  lr %s  mfu %.1f%%", long(state_.step),
                  outcome.loss, format_lr(outcome.lr).c_str(), 100 * mfu_);
    progress_->set_rate_units("tok", double(state_.tokens_seen - start_step_ * step_tokens_));
    progress_->update(double(state_.step - start_step_), extra);
  }
}

bool Trainer::evaluate_and_log(double lr) {
  const double val = evaluate();
  const auto tasks = evaluate_tasks();
  result_.last_val_loss = val;
  if (!std::isfinite(val)) {
    if (main_ && !tasks.empty()) {  // no validation set: the task metrics alone
      const LogRow row{"eval", state_.step, tasks, {}};
      run_.log(row);
      watch_->logged(row);
    }
    return false;
  }
  const bool improved = val < state_.best_val_loss - tc_.min_delta;
  if (improved) {
    state_.best_val_loss = val;
    state_.best_step = state_.step;
    state_.evals_since_best = 0;
  } else {
    ++state_.evals_since_best;
  }
  if (main_) {
    LogRow row{
        "eval", state_.step, {{"val_loss", val}, {"val_ppl", std::exp(val)}, {"lr", lr}}, {}};
    row.numbers.insert(row.numbers.end(), tasks.begin(), tasks.end());
    run_.log(row);
    watch_->logged(row);
    refresh_watch();
    if (progress_) progress_->update(double(state_.step - start_step_));
    std::fprintf(stderr, "%sstep %ld: val loss %.4f (ppl %.2f)%s\n",
                 progress_ && ::isatty(STDERR_FILENO) ? "\n" : "", long(state_.step), val,
                 std::exp(val), improved ? " best" : "");
  }
  return improved;
}

// Mean loss per scored target over the validation batches, each rank scoring its share.
double Trainer::evaluate() {
  if (val_batches_.empty()) return std::numeric_limits<double>::quiet_NaN();
  model_->eval();
  at::NoGradGuard no_grad;
  double sums[2] = {0, 0};  // nll, scored targets
  for (size_t i = dist_.rank(); i < val_batches_.size(); i += world_) {
    DeviceBatch b = to_device(val_batches_[i], device_, model_->config().vocab_size);
    if (b.scored == 0) continue;
    AutocastScope autocast(precision_, device_);
    for (const RowScore& row : score_batch(*model_, b.inputs, b.targets)) {
      sums[0] += row.nll;
      sums[1] += double(row.tokens);
    }
  }
  model_->train();
  at::Tensor t = at::tensor({sums[0], sums[1]}, at::kDouble).to(device_);  // (2)
  dist_.all_reduce_sum(t);
  t = t.cpu();
  return t[1].item<double>() > 0 ? t[0].item<double>() / t[1].item<double>()
                                 : std::numeric_limits<double>::quiet_NaN();
}

// train.eval_tasks on the current weights, through `gpt2 eval --task`'s task functions. Rank 0
// alone (the others wait in the next collective); in fp32, so the numbers equal those of
// gpt2 eval --task on the checkpoint saved at this step.
std::vector<std::pair<std::string, double>> Trainer::evaluate_tasks() {
  if (!main_ || tc_.eval_tasks.tasks.empty()) return {};
  auto numbers =
      run_tasks_for_log(*model_, *prepared_.tokenizer, tc_.eval_tasks, s_.data.batch_size);
  model_->train();
  std::string line;
  for (const auto& [key, value] : numbers)
    line += (line.empty() ? "" : "  ") + key + " " + format_number(value, 4);
  std::fprintf(stderr, "step %ld: %s\n", long(state_.step), line.c_str());
  return numbers;
}

void Trainer::save_checkpoint() {
  if (saved_step_ == state_.step) return;
  saved_step_ = state_.step;
  state_.data_state = data_->state();
  state_.loss_scale = scaler_->scale();
  state_.loss_scale_growth = scaler_->growth_tracker();
  // A failed write (disk full) is an Error naming the file and the last good checkpoint; the
  // other ranks learn of it and stop too instead of waiting in the next all-reduce.
  std::string failure;
  try {
    if (main_)
      result_.last_checkpoint = run_.write_checkpoint(state_.step, [&](const std::string& temp) {
        if (tc_.adapter.enabled())  // the adapter alone: the base is train.init_from
          save_adapter(*model_, tc_.adapter, temp, tc_.init_from);
        else
          save_model_dir(*model_, temp, save_dtype_);
        if (prepared_.tokenizer) save_tokenizer(*prepared_.tokenizer, temp);
        save_trainer_state(temp, state_, *optimizer_);
      });
  } catch (const Error& e) {
    failure = e.what();
  }
  at::Tensor failed = at::full({1}, failure.empty() ? 0.0 : 1.0, at::kFloat).to(device_);  // (1)
  if (world_ > 1) dist_.all_reduce_sum(failed);
  if (failed.cpu().item<float>() > 0)
    throw Error(main_ ? failure : "rank 0 could not write the checkpoint; see its error");
  if (!main_) return;
  if (tc_.keep_best && state_.best_step == state_.step) run_.link_best(state_.step);
  run_.rotate(tc_.keep_last, tc_.keep_best ? state_.best_step : -1);
  refresh_watch();  // the checkpoints kept changed
}

void Trainer::refresh_watch() const {
  if (watch_)
    watch_->refresh({state_.step, state_.tokens_seen, state_.best_val_loss, state_.best_step,
                     data_->epochs_seen()});
}

void Trainer::finish() {
  if (progress_) progress_->finish();
  result_.steps = state_.step;
  result_.tokens = state_.tokens_seen;
  result_.best_val_loss = state_.best_val_loss;
  result_.best_step = state_.best_step;
  result_.skipped_steps = state_.nonfinite_total;
  result_.seconds = seconds_since(session_start_);
  result_.tokens_per_second =
      result_.seconds > 0
          ? double(state_.tokens_seen - start_step_ * step_tokens_) / result_.seconds
          : 0;
  if (result_.last_checkpoint.empty()) result_.last_checkpoint = run_.latest_checkpoint();
  if (main_)
    run_.log({"event",
              state_.step,
              {{"seconds", result_.seconds}},
              {{"message", result_.interrupted     ? "interrupted"
                           : result_.early_stopped ? "early stop"
                                                   : "finished"}}});
  refresh_watch();
  dist_.barrier();
}

}  // namespace

TrainResult train(TrainSections sections, const TrainOptions& options) {
  return Trainer(std::move(sections), options).run();
}

}  // namespace gpt2
