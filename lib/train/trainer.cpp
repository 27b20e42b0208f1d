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
#include "io/checkpoint.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"
#include "train/distributed.h"
#include "train/flops.h"
#include "train/grad_utils.h"
#include "train/loss_scaler.h"
#include "train/lr_schedule.h"
#include "train/param_groups.h"
#include "train/precision.h"
#include "io/run_directory.h"
#include "train/signals.h"
#include "train/train_data.h"
#include "train/trainer_setup.h"
#include "io/trainer_state.h"

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

struct DeviceBatch {
  at::Tensor inputs, targets;  // (B, T) int64
  int64_t scored = 0;          // targets that count in the loss
};

DeviceBatch to_device(const Batch& batch, c10::Device device, int64_t vocab_size) {
  for (int64_t id : batch.inputs)
    require(id >= 0 && id < vocab_size,
            "the data holds token id " + std::to_string(id) + " but the model's vocab_size is " +
                std::to_string(vocab_size) + "; were the shards made with another tokenizer?");
  DeviceBatch out;
  auto make = [&](const std::vector<int64_t>& v) {
    return at::tensor(v, at::kLong).view({batch.rows, batch.cols}).to(device);  // (B, T)
  };
  out.inputs = make(batch.inputs);
  out.targets = make(batch.targets);  // -1 = not scored (the loss's ignore_index)
  out.scored = 0;
  for (int64_t t : batch.targets) out.scored += t >= 0;
  return out;
}

std::string format_lr(double lr) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2e", lr);
  return buffer;
}

}  // namespace

std::string dump_train_config(TrainSections& s) {
  return dump_config({section_ref(s.runtime), section_ref(s.model), section_ref(s.tokenizer),
                      section_ref(s.data), section_ref(s.train)});
}

std::string TrainResult::summary() const {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%s after %ld steps (%s tokens) in %s, %s tok/s\n",
                interrupted     ? "interrupted"
                : early_stopped ? "stopped early (no improvement)"
                                : "finished",
                long(steps), human_count(double(tokens)).c_str(), format_duration(seconds).c_str(),
                human_count(tokens_per_second).c_str());
  out << line;
  if (std::isfinite(last_train_loss)) {
    std::snprintf(line, sizeof line, "train loss %.4f", last_train_loss);
    out << line;
  }
  if (std::isfinite(last_val_loss)) {
    std::snprintf(line, sizeof line, "  val loss %.4f (ppl %.2f)", last_val_loss,
                  std::exp(last_val_loss));
    out << line;
  }
  if (std::isfinite(best_val_loss)) {
    std::snprintf(line, sizeof line, "  best %.4f at step %ld", best_val_loss, long(best_step));
    out << line;
  }
  if (skipped_steps > 0) out << "  skipped " << skipped_steps << " non-finite step(s)";
  out << "\n";
  if (!last_checkpoint.empty()) out << "checkpoint " << last_checkpoint << "\n";
  if (interrupted) out << "resume with: gpt2 train --resume " << run_dir << "\n";
  return out.str();
}

TrainResult train(TrainSections s, const TrainOptions& options) {
  const TrainConfig& tc = s.train;
  const DistributedEnv env = distributed_env_from_environment();
  Runtime runtime = apply_runtime(s.runtime);
  if (runtime.device.is_cuda() && env.active())
    runtime.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  require(runtime.dtype == c10::kFloat,
          "training keeps fp32 weights: set runtime.dtype float32 and choose mixed precision "
          "with train.precision (bf16 or fp16)");
  const c10::Device device = runtime.device;
  const Precision precision = resolve_precision(tc.precision, device);
  Distributed dist(env, tc.backend, device);
  const bool main = dist.is_main();
  const int world = dist.world_size();

  RunDirectory run(tc.out_dir, {"loss", "val_loss", "val_ppl", "lr", "grad_norm", "tokens",
                                "tokens_per_s", "mfu", "seconds"});
  std::string checkpoint;
  if (options.resume) {
    checkpoint = run.latest_checkpoint();
    require(!checkpoint.empty(), tc.out_dir + " holds no complete checkpoint to resume from");
  } else {
    require(run.checkpoint_steps().empty(),
            tc.out_dir +
                " already holds checkpoints of a run; resume it with gpt2 train "
                "--resume " +
                tc.out_dir + " or choose another train.out_dir");
  }

  PreparedModel prepared = prepare_model(s, checkpoint);
  GPT2LMHeadModel model = prepared.model;
  const ModelConfig& mc = model->config();
  model->to(device);
  model->train();
  std::vector<at::Tensor> params = model->parameters();
  ParamGroups groups = split_param_groups(*model);
  auto optimizer = make_adamw(groups, {tc.lr, tc.weight_decay, tc.beta1, tc.beta2, tc.eps});
  ScheduleParams sp;
  sp.lr = tc.lr;
  sp.min_lr = tc.min_lr;
  sp.warmup_steps = tc.warmup_steps;
  sp.decay_steps = tc.decay_steps;
  sp.total_steps = tc.max_steps;
  sp.cooldown_fraction = tc.cooldown_fraction;
  auto schedule = make_schedule(tc.schedule, sp);
  LossScaler scaler(precision.loss_scaling, tc.loss_scale, tc.loss_scale_window);

  auto data = make_train_batches(s.data, prepared.tokenizer.get(), dist.rank(), world);
  const std::vector<Batch> val_batches =
      make_val_batches(s.data, prepared.tokenizer.get(), tc.eval_batches);

  const int64_t micro_tokens = s.data.batch_size * s.data.block_size * world;
  const int64_t accum = tc.batch_tokens == 0 ? 1 : tc.batch_tokens / micro_tokens;
  require(tc.batch_tokens % micro_tokens == 0 && accum >= 1,
          "train.batch_tokens (" + std::to_string(tc.batch_tokens) +
              ") must be a multiple of data.batch_size * data.block_size * ranks = " +
              std::to_string(micro_tokens) + " (e.g. " +
              std::to_string(micro_tokens * std::max<int64_t>(1, tc.batch_tokens / micro_tokens)) +
              ")");
  const int64_t step_tokens = micro_tokens * accum;

  TrainerState state;
  state.world_size = world;
  if (!checkpoint.empty()) {
    state = load_trainer_state(checkpoint, *optimizer, device);
    data->restore(state.data_state);
    scaler.restore(state.loss_scale, state.loss_scale_growth);
    if (state.world_size != world)
      prepared.notes.push_back("the checkpoint was written by " + std::to_string(state.world_size) +
                               " rank(s), this run has " + std::to_string(world) +
                               ": batches will differ from the original");
    state.world_size = world;
    if (main) run.truncate_logs(state.step);
  } else if (main) {
    run.write_config(dump_train_config(s));
  }
  dist.broadcast(params, tc.bucket_mb * (1 << 20));

  const double flops_per_token = training_flops_per_token(mc, s.data.block_size);
  const double peak =
      tc.peak_flops > 0
          ? tc.peak_flops
          : measure_matmul_flops(device, precision.autocast ? precision.dtype : c10::kFloat);
  if (main) {
    const std::string ranks =
        world > 1 ? std::to_string(world) + " rank(s) over " + dist.backend() : "1 process";
    std::fprintf(stderr, "train: %s, %s parameters, %s on %s, %s, threads %ld\n",
                 prepared.source.c_str(), human_count(double(mc.parameter_count())).c_str(),
                 precision.name.c_str(), device.str().c_str(), ranks.c_str(),
                 long(runtime.threads));
    std::fprintf(stderr,
                 "train: %s; %ld tokens/step (%ld x %ld x %d ranks x %ld accum); %zu "
                 "validation batches\n",
                 data->describe().c_str(), long(step_tokens), long(s.data.batch_size),
                 long(s.data.block_size), world, long(accum), val_batches.size());
    for (const auto& note : prepared.notes) std::fprintf(stderr, "train: note: %s\n", note.c_str());
    if (!prepared.tokenizer)
      std::fprintf(stderr,
                   "train: note: no tokenizer (set tokenizer.path); checkpoints will "
                   "hold the model only\n");
  }

  auto evaluate = [&]() -> double {
    if (val_batches.empty()) return std::numeric_limits<double>::quiet_NaN();
    model->eval();
    at::NoGradGuard no_grad;
    double sums[2] = {0, 0};  // loss * scored, scored
    for (size_t i = dist.rank(); i < val_batches.size(); i += world) {
      DeviceBatch b = to_device(val_batches[i], device, mc.vocab_size);
      if (b.scored == 0) continue;
      AutocastScope autocast(precision, device);
      ForwardArgs args;
      args.targets = b.targets;
      args.ignore_index = -1;
      sums[0] += model->forward(b.inputs, args).loss.item<double>() * double(b.scored);
      sums[1] += double(b.scored);
    }
    model->train();
    at::Tensor t = at::tensor({sums[0], sums[1]}, at::kDouble).to(device);  // (2)
    dist.all_reduce_sum(t);
    t = t.cpu();
    return t[1].item<double>() > 0 ? t[0].item<double>() / t[1].item<double>()
                                   : std::numeric_limits<double>::quiet_NaN();
  };

  TrainResult result;
  result.run_dir = tc.out_dir;
  const c10::ScalarType save_dtype = parse_dtype(tc.save_dtype);
  int64_t saved_step = -1;
  auto save_checkpoint = [&]() {
    if (saved_step == state.step) return;
    saved_step = state.step;
    state.data_state = data->state();
    state.loss_scale = scaler.scale();
    state.loss_scale_growth = scaler.growth_tracker();
    // A failed write (disk full) is an Error naming the file and the last good checkpoint; the
    // other ranks learn of it and stop too instead of waiting in the next all-reduce.
    std::string failure;
    try {
      if (main)
        result.last_checkpoint = run.write_checkpoint(state.step, [&](const std::string& temp) {
          save_model_dir(*model, temp, save_dtype);
          if (prepared.tokenizer) save_tokenizer(*prepared.tokenizer, temp);
          save_trainer_state(temp, state, *optimizer);
        });
    } catch (const Error& e) {
      failure = e.what();
    }
    at::Tensor failed = at::full({1}, failure.empty() ? 0.0 : 1.0, at::kFloat).to(device);
    if (world > 1) dist.all_reduce_sum(failed);
    if (failed.cpu().item<float>() > 0)
      throw Error(main ? failure : "rank 0 could not write the checkpoint; see its error");
    if (!main) return;
    if (tc.keep_best && state.best_step == state.step) run.link_best(state.step);
    run.rotate(tc.keep_last, tc.keep_best ? state.best_step : -1);
  };

  StopSignalGuard signal_guard;
  const int64_t start_step = state.step;
  const double elapsed_before = state.elapsed_seconds;
  std::unique_ptr<ProgressBar> progress;
  if (main && tc.progress)
    progress = std::make_unique<ProgressBar>("train", double(tc.max_steps - start_step), "steps");
  const auto session_start = Clock::now();
  auto log_start = session_start;
  int64_t log_tokens = 0;
  double mfu = 0, tokens_per_s = 0;

  while (state.step < tc.max_steps) {
    const int64_t step = state.step;
    at::manual_seed(step_seed(s.runtime.seed, dist.rank(), step));
    const double lr = schedule->lr(step);
    set_learning_rate(*optimizer, lr);
    zero_grads(params);
    double loss_sum = 0;
    bool local_nonfinite = false;
    for (int64_t micro = 0; micro < accum; ++micro) {
      DeviceBatch b = to_device(data->next(), device, mc.vocab_size);
      at::Tensor loss;
      {
        AutocastScope autocast(precision, device);
        ForwardArgs args;
        args.targets = b.targets;
        args.ignore_index = -1;
        loss = model->forward(b.inputs, args).loss / double(accum);  // ()
      }
      if (options.poison_step && options.poison_step(step)) loss = loss * NAN;
      scaler.scale_loss(loss).backward();
      double value = loss.item<double>();
      local_nonfinite |= !std::isfinite(value);
      loss_sum += value;
    }
    dist.average_gradients(params, tc.bucket_mb * (1 << 20));
    // One all-reduce for the step's loss, non-finite flag and stop request of every rank.
    at::Tensor stats = at::tensor({local_nonfinite ? 0.0 : loss_sum, local_nonfinite ? 1.0 : 0.0,
                                   stop_requested() ? 1.0 : 0.0},
                                  at::kDouble)
                           .to(device);  // (3)
    dist.all_reduce_sum(stats);
    stats = stats.cpu();
    const bool any_nonfinite = stats[1].item<double>() > 0;
    const bool stop = stats[2].item<double>() > 0;
    const double loss = any_nonfinite ? NAN : stats[0].item<double>() / world;

    bool finite = scaler.unscale(params) && !any_nonfinite;
    const double norm = global_grad_norm(params);
    finite = finite && std::isfinite(norm);
    const bool apply = scaler.update(finite);
    if (apply) {
      clip_grads(params, norm, tc.grad_clip);
      optimizer->step();
      state.nonfinite_in_row = 0;
    } else if (!scaler.enabled() || any_nonfinite) {
      ++state.nonfinite_in_row;
      ++state.nonfinite_total;
      if (main)
        run.log({"event",
                 step + 1,
                 {{"nonfinite_in_row", double(state.nonfinite_in_row)}},
                 {{"message", "non-finite loss or gradient: step skipped"}}});
    }
    state.step = step + 1;
    state.tokens_seen += step_tokens;
    log_tokens += step_tokens;
    result.last_train_loss = loss;
    if (options.on_step) options.on_step(state.step, loss);

    if (state.nonfinite_in_row >= tc.max_nonfinite) {
      std::string last = run.latest_checkpoint();
      throw Error("training stopped: " + std::to_string(state.nonfinite_in_row) +
                  " non-finite losses/gradients in a row (up to step " +
                  std::to_string(state.step) + "). " +
                  (last.empty() ? "No checkpoint was written yet."
                                : "The last good checkpoint is " + last + ".") +
                  " Lower train.lr, raise train.warmup_steps or check the data, then resume "
                  "with gpt2 train --resume " +
                  tc.out_dir);
    }

    const bool last_step = state.step == tc.max_steps;
    if (main && (state.step % tc.log_interval == 0 || last_step || state.step == start_step + 1)) {
      double seconds = seconds_since(log_start);
      tokens_per_s = seconds > 0 ? double(log_tokens) / seconds : 0;
      mfu = peak > 0 ? flops_per_token * tokens_per_s / world / peak : 0;
      run.log({"train",
               state.step,
               {{"loss", loss},
                {"lr", lr},
                {"grad_norm", norm},
                {"tokens", double(state.tokens_seen)},
                {"tokens_per_s", tokens_per_s},
                {"mfu", mfu},
                {"seconds", elapsed_before + seconds_since(session_start)},
                {"loss_scale", scaler.scale()}},
               {}});
      log_start = Clock::now();
      log_tokens = 0;
    }
    if (progress) {
      char extra[160];
      std::snprintf(extra, sizeof extra, "step %ld  loss %.4f  lr %s  mfu %.1f%%", long(state.step),
                    loss, format_lr(lr).c_str(), 100 * mfu);
      progress->set_rate_units("tok", double(state.tokens_seen - start_step * step_tokens));
      progress->update(double(state.step - start_step), extra);
    }

    bool improved = false;
    if ((tc.eval_interval > 0 && state.step % tc.eval_interval == 0) || last_step) {
      const double val = evaluate();
      result.last_val_loss = val;
      if (std::isfinite(val)) {
        improved = val < state.best_val_loss - tc.min_delta;
        if (improved) {
          state.best_val_loss = val;
          state.best_step = state.step;
          state.evals_since_best = 0;
        } else {
          ++state.evals_since_best;
        }
        if (main) {
          run.log({"eval",
                   state.step,
                   {{"val_loss", val}, {"val_ppl", std::exp(val)}, {"lr", lr}},
                   {}});
          if (progress) progress->update(double(state.step - start_step));
          std::fprintf(stderr, "%sstep %ld: val loss %.4f (ppl %.2f)%s\n",
                       progress && ::isatty(STDERR_FILENO) ? "\n" : "", long(state.step), val,
                       std::exp(val), improved ? " best" : "");
        }
      }
    }
    state.elapsed_seconds = elapsed_before + seconds_since(session_start);
    const bool early = tc.patience > 0 && state.evals_since_best >= tc.patience;
    const bool on_schedule = tc.checkpoint_interval > 0
                                 ? state.step % tc.checkpoint_interval == 0
                                 : tc.eval_interval > 0 && state.step % tc.eval_interval == 0;
    // No scheduled checkpoint inside a run of skipped steps: the last good one stays the newest.
    const bool healthy = state.nonfinite_in_row == 0;
    if (stop || (healthy && (on_schedule || last_step || early || (improved && tc.keep_best))))
      save_checkpoint();
    if (stop) {
      result.interrupted = true;
      break;
    }
    if (early) {
      result.early_stopped = true;
      break;
    }
  }
  if (state.step > start_step && saved_step != state.step) save_checkpoint();
  if (progress) progress->finish();

  result.steps = state.step;
  result.tokens = state.tokens_seen;
  result.best_val_loss = state.best_val_loss;
  result.best_step = state.best_step;
  result.skipped_steps = state.nonfinite_total;
  result.seconds = seconds_since(session_start);
  result.tokens_per_second =
      result.seconds > 0 ? double(state.tokens_seen - start_step * step_tokens) / result.seconds
                         : 0;
  if (result.last_checkpoint.empty()) result.last_checkpoint = run.latest_checkpoint();
  if (main)
    run.log({"event",
             state.step,
             {{"seconds", result.seconds}},
             {{"message", result.interrupted     ? "interrupted"
                          : result.early_stopped ? "early stop"
                                                 : "finished"}}});
  dist.barrier();
  return result;
}

}  // namespace gpt2
