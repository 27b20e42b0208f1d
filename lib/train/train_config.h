#pragma once
// The "train" config section: where the model comes from, the optimiser and its schedule,
// batch size in tokens, evaluation, checkpoints and precision. Data comes from the "data"
// section (data/data_config.h), threads/device/seed from "runtime".
#include <cstdint>
#include <string>

#include "config/fields.h"
#include "eval/task_selection.h"
#include "model/lora_config.h"
#include "train/lr_schedule.h"

namespace gpt2 {

struct TrainConfig {
  static constexpr const char* kSection = "train";

  // Model source: "scratch" (the model section), a preset name, or a model directory in the
  // Hugging Face layout (fine-tuning; a GPT-2 from the hub works as it is).
  std::string init_from = "scratch";
  std::string out_dir = "runs/train";
  int64_t max_steps = 2000;
  // Tokens per optimiser step across all ranks; 0 = one micro-batch per rank (no accumulation).
  int64_t batch_tokens = 0;

  // AdamW.
  double lr = 6e-4;
  double min_lr = 6e-5;
  double weight_decay = 0.1;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double grad_clip = 1.0;  // global-norm clip; 0 = off
  // Applied to embd_pdrop, attn_pdrop and resid_pdrop; < 0 keeps the model's own values.
  double dropout = -1;

  // Learning-rate schedule (lr_schedule.h).
  std::string schedule = "cosine";
  int64_t warmup_steps = 100;
  int64_t decay_steps = 0;         // cosine/linear: step where min_lr is reached (0 = max_steps)
  double cooldown_fraction = 0.2;  // wsd: final share of max_steps spent decaying

  // Evaluation and checkpoints.
  int64_t eval_interval = 250;      // steps between evaluations (0 = only at the end)
  int64_t eval_batches = 20;        // fixed validation batches (0 = the whole validation set)
  int64_t log_interval = 10;        // steps between log/CSV rows
  int64_t checkpoint_interval = 0;  // steps between checkpoints (0 = at each evaluation)
  int64_t keep_last = 2;            // checkpoints kept besides the best
  bool keep_best = true;            // keep (and link as RUN_DIR/best) the best validation model
  int64_t patience = 0;             // evaluations without improvement before stopping; 0 = off
  double min_delta = 0.0;           // improvement needed to reset patience
  int64_t max_nonfinite = 10;       // non-finite steps in a row before stopping
  std::string save_dtype = "float32";

  // Precision: auto = fp32 on CPU, bf16 autocast on CUDA.
  std::string precision = "auto";
  double loss_scale = 65536;         // fp16: initial loss scale
  int64_t loss_scale_window = 2000;  // fp16: finite steps before the scale doubles

  // Data parallel (distributed.h).
  std::string backend = "auto";  // auto | gloo | nccl
  double bucket_mb = 25;         // gradient all-reduce bucket size
  double peak_flops = 0;         // per-rank FLOP/s for MFU; 0 = measure the matmul rate
  bool progress = true;          // live progress line on stderr
  bool thread_split = true;      // CPU: each thread runs the model on a slice of the batch

  // Parameter-efficient fine-tuning: train.adapter.type lora trains low-rank adapters only.
  LoraConfig adapter;

  // Zero-shot tasks run at each evaluation and logged with the validation loss
  // (train.eval_tasks: {tasks: [...], task_data: [...], limit: N}; eval/task_selection.h).
  TaskSelection eval_tasks;

  void visit(FieldVisitor& v) {
    v.field("init_from", init_from,
            "scratch (the model section), a model preset name, or a model directory");
    v.field("out_dir", out_dir, "run directory (config, logs, checkpoints)");
    v.field("max_steps", max_steps, "optimiser steps", Rule::positive());
    v.field("batch_tokens", batch_tokens,
            "tokens per step over all ranks, via gradient accumulation (0 = no accumulation)",
            Rule::non_negative());
    v.field("lr", lr, "peak learning rate", Rule::positive());
    v.field("min_lr", min_lr, "final learning rate of decaying schedules", Rule::non_negative());
    v.field("weight_decay", weight_decay, "AdamW decoupled weight decay (2-D weights only)",
            Rule::non_negative());
    v.field("beta1", beta1, "AdamW beta1", Rule::closed_open(0, 1));
    v.field("beta2", beta2, "AdamW beta2", Rule::closed_open(0, 1));
    v.field("eps", eps, "AdamW epsilon", Rule::positive());
    v.field("grad_clip", grad_clip, "clip gradients to this global norm (0 = off)",
            Rule::non_negative());
    v.field("dropout", dropout, "dropout for embeddings, attention, residuals (< 0 = model's)",
            Rule{"must be < 1", [](double x) { return x < 1; }, {}});
    v.field("schedule", schedule, "learning-rate schedule", Rule::one_of(schedule_names()));
    v.field("warmup_steps", warmup_steps, "linear warmup steps", Rule::non_negative());
    v.field("decay_steps", decay_steps, "cosine/linear: step reaching min_lr (0 = max_steps)",
            Rule::non_negative());
    v.field("cooldown_fraction", cooldown_fraction, "wsd: share of max_steps spent decaying",
            Rule::closed(0, 1));
    v.field("eval_interval", eval_interval, "steps between evaluations (0 = only at the end)",
            Rule::non_negative());
    v.field("eval_batches", eval_batches, "validation batches (0 = the whole validation set)",
            Rule::non_negative());
    v.field("log_interval", log_interval, "steps between log rows", Rule::positive());
    v.field("checkpoint_interval", checkpoint_interval,
            "steps between checkpoints (0 = at each evaluation)", Rule::non_negative());
    v.field("keep_last", keep_last, "recent checkpoints kept", Rule::positive());
    v.field("keep_best", keep_best, "keep the best validation checkpoint as RUN_DIR/best");
    v.field("patience", patience, "evaluations without improvement before stopping (0 = off)",
            Rule::non_negative());
    v.field("min_delta", min_delta, "validation loss improvement that resets patience",
            Rule::non_negative());
    v.field("max_nonfinite", max_nonfinite, "non-finite steps in a row before stopping",
            Rule::positive());
    v.field("save_dtype", save_dtype, "checkpoint weight dtype",
            Rule::one_of({"float32", "bfloat16"}));
    v.field("precision", precision, "auto (fp32 on CPU, bf16 on CUDA), fp32, bf16, fp16",
            Rule::one_of({"auto", "fp32", "bf16", "fp16"}));
    v.field("loss_scale", loss_scale, "fp16: initial loss scale", Rule::positive());
    v.field("loss_scale_window", loss_scale_window, "fp16: finite steps before doubling scale",
            Rule::positive());
    v.field("backend", backend, "data-parallel backend", Rule::one_of({"auto", "gloo", "nccl"}));
    v.field("bucket_mb", bucket_mb, "gradient all-reduce bucket size in MiB", Rule::positive());
    v.field("peak_flops", peak_flops, "FLOP/s per rank for MFU (0 = measure matmul rate)",
            Rule::non_negative());
    v.field("progress", progress, "show a live progress line");
    v.field("thread_split", thread_split,
            "CPU: each thread runs the model on a slice of the micro-batch's rows (false: "
            "every op is split over the threads)");
    v.nested("adapter", adapter);
    v.nested("eval_tasks", eval_tasks);
  }
  void validate() const;
};

}  // namespace gpt2
