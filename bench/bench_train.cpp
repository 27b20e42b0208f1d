// Training throughput: tokens/s and MFU (model FLOPs / the measured matmul rate) of full
// training steps (forward, backward, clip, AdamW) in fp32, for the shakespeare_char model at
// (B, T) = (12, 64) and GPT-2 124M at (4, 256), on 1 and 2 threads; median of repeats. The
// phases are timed with every op split over the threads; "split step" is the whole step as
// the trainer runs it, the batch's rows split over the threads (train/thread_split.h).
// Usage: bench_train [repeats=3] [model name filter, e.g. shakespeare]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "config/loader.h"
#include "config/presets.h"
#include "config/sections.h"
#include "core/tokens.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"
#include "train/flops.h"
#include "train/grad_utils.h"
#include "train/param_groups.h"
#include "train/thread_split.h"

using namespace gpt2;
using gpt2::bench::median_seconds;

namespace {

ModelConfig model_from(const std::string& kind, const std::string& name) {
  ModelConfig config;
  load_config({section_ref(config)}, {{find_preset(kind, name)}, {}}, known_section_names());
  return config;
}

struct Case {
  std::string name;
  ModelConfig config;
  int64_t B, T;
};

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<Case> cases = {{"shakespeare_char", model_from("train", "shakespeare_char"), 12, 64},
                             {"gpt2 124M", model_from("model", "gpt2"), 4, 256}};
  std::printf("training steps (fwd + bwd + clip + AdamW), fp32, median of %d\n\n", repeats);
  std::printf(
      "| model            | threads | (B, T)    | fwd ms | bwd ms | opt ms | ms/step | tokens/s | "
      "split step ms | split tokens/s | matmul GFLOP/s | MFU (split) |\n");
  std::printf(
      "|------------------|--------:|-----------|-------:|-------:|-------:|--------:|---------:|"
      "--------------:|---------------:|---------------:|------------:|\n");
  std::vector<int64_t> thread_counts = {1};
  if (available_cores() > 1) thread_counts.push_back(2);
  const std::string filter = argc > 2 ? argv[2] : "";
  for (const auto& c : cases) {
    if (c.name.find(filter) == std::string::npos) continue;
    for (int64_t threads : thread_counts) {
      at::set_num_threads(int(threads));
      at::manual_seed(0);
      GPT2LMHeadModel model(c.config);
      model->train();
      auto params = model->parameters();
      auto adamw = make_adamw(split_param_groups(*model), {6e-4, 0.1, 0.9, 0.95, 1e-8});
      auto ids = at::randint(c.config.vocab_size, {c.B, c.T + 1}, at::kLong);  // (B, T+1)
      ForwardArgs args;
      args.targets = ids.narrow(1, 1, c.T);  // (B, T)
      auto inputs = ids.narrow(1, 0, c.T);   // (B, T)
      // Each phase timed on its own (median per phase); the step is their sum.
      at::Tensor loss;
      double forward_s = median_seconds(repeats, [&] {
        zero_grads(params);
        loss = model->forward(inputs, args).loss;
      });
      double backward_s = median_seconds(repeats,
                                         [&] {
                                           zero_grads(params);
                                           model->forward(inputs, args).loss.backward();
                                         }) -
                          forward_s;
      double optimizer_s = median_seconds(repeats, [&] {
        clip_grads(params, global_grad_norm(params), 1.0);
        adamw->step();
      });
      double seconds = forward_s + backward_s + optimizer_s;
      double tokens_per_s = double(c.B * c.T) / seconds;
      SplitBackward split;
      split.loss_of = [&](const at::Tensor& in, const at::Tensor& targets) {
        ForwardArgs slice_args;
        slice_args.targets = targets;
        return model->forward(in, slice_args).loss;  // ()
      };
      split.reported = split.differentiated = [](const at::Tensor& loss) { return loss; };
      const int64_t slices = split_slices(c.B, int(threads));
      double split_s = median_seconds(repeats, [&] {
        zero_grads(params);
        split_forward_backward(split, inputs, args.targets, params, 1.0, slices, kIgnoreIndex, 1);
        ThreadCountScope optimizer(optimizer_threads(params, int(threads)));
        clip_grads(params, global_grad_norm(params), 1.0);
        adamw->step();
      });
      double split_tokens_per_s = double(c.B * c.T) / split_s;
      double peak = measure_matmul_flops(c10::Device(c10::kCPU), c10::kFloat);
      double mfu = training_flops_per_token(c.config, c.T) * split_tokens_per_s / peak;
      std::printf(
          "| %-16s | %7ld | (%2ld, %4ld) | %6.1f | %6.1f | %6.1f | %7.1f | %8.0f | %13.1f | "
          "%14.0f | %14.1f | %10.1f%% |\n",
          c.name.c_str(), long(threads), long(c.B), long(c.T), forward_s * 1e3, backward_s * 1e3,
          optimizer_s * 1e3, seconds * 1e3, tokens_per_s, split_s * 1e3, split_tokens_per_s,
          peak / 1e9, 100 * mfu);
      std::fflush(stdout);
    }
  }
  return 0;
}
