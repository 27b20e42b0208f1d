// Full fine-tuning against LoRA: one fp32 training step (forward, backward, clip, AdamW) of
// GPT-2 124M at (B, T) = (4, 256), on 1 and 2 threads, median of repeats; with the optimizer
// state (AdamW's two moments) and the checkpoint's weight bytes (model.safetensors, or
// adapter_model.safetensors for LoRA). Random weights: the speed does not depend on them.
// Usage: bench_lora [repeats=3] [r=8]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "config/loader.h"
#include "config/presets.h"
#include "config/sections.h"
#include "core/files.h"
#include "core/strings.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "model/lora.h"
#include "runtime/runtime.h"
#include "train/grad_utils.h"
#include "train/param_groups.h"

using namespace gpt2;
using gpt2::bench::median_seconds;
namespace fs = std::filesystem;

namespace {

ModelConfig gpt2_124m() {
  ModelConfig config;
  load_config({section_ref(config)}, {{find_preset("model", "gpt2")}, {}}, known_section_names());
  return config;
}

int64_t optimizer_state_bytes(torch::optim::Optimizer& optimizer) {
  int64_t bytes = 0;
  for (const auto& item : optimizer.state()) {
    const auto& state = static_cast<const torch::optim::AdamWParamState&>(*item.second);
    for (const auto* t : {&state.exp_avg(), &state.exp_avg_sq(), &state.max_exp_avg_sq()})
      if (t->defined()) bytes += t->numel() * int64_t(t->element_size());
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const int64_t r = argc > 2 ? std::max(1, std::atoi(argv[2])) : 8;
  const ModelConfig config = gpt2_124m();
  const int64_t B = 4, T = 256;
  const std::string temp = (fs::temp_directory_path() / "bench_lora").string();
  std::printf(
      "GPT-2 124M fine-tuning step (fwd + bwd + clip + AdamW), fp32, (B, T) = (%ld, %ld), "
      "median of %d\n\n",
      long(B), long(T), repeats);
  std::printf(
      "| run | threads | trainable params | ms/step | tokens/s | optimizer state | "
      "checkpoint weights |\n");
  std::printf("|---|--:|--:|--:|--:|--:|--:|\n");
  std::vector<int64_t> thread_counts = {1};
  if (available_cores() > 1) thread_counts.push_back(2);
  for (const bool lora : {false, true}) {
    for (int64_t threads : thread_counts) {
      at::set_num_threads(int(threads));
      at::manual_seed(0);
      GPT2LMHeadModel model(config);
      LoraConfig adapter;
      adapter.type = "lora";
      adapter.r = r;
      adapter.alpha = 2.0 * double(r);
      adapter.target_modules = {"c_attn", "c_proj"};
      if (lora) attach_lora(*model, adapter);
      model->train();
      std::vector<at::Tensor> params;
      int64_t trainable = 0;
      for (const auto& p : model->parameters())
        if (p.requires_grad()) {
          params.push_back(p);
          trainable += p.numel();
        }
      auto adamw = make_adamw(split_param_groups(*model), {6e-4, 0.1, 0.9, 0.95, 1e-8});
      auto ids = at::randint(config.vocab_size, {B, T + 1}, at::kLong);  // (B, T+1)
      ForwardArgs args;
      args.targets = ids.narrow(1, 1, T);  // (B, T)
      auto inputs = ids.narrow(1, 0, T);   // (B, T)
      const double seconds = median_seconds(repeats, [&] {
        zero_grads(params);
        model->forward(inputs, args).loss.backward();
        clip_grads(params, global_grad_norm(params), 1.0);
        adamw->step();
      });
      fs::remove_all(temp);
      std::string weights_file;
      if (lora) {
        save_adapter(*model, adapter, temp, "gpt2");
        weights_file = temp + "/" + kAdapterWeights;
      } else {
        save_model_dir(*model, temp);
        weights_file = temp + "/model.safetensors";
      }
      std::printf("| %s | %ld | %s | %.0f | %.0f | %s | %s |\n",
                  lora ? ("LoRA r=" + std::to_string(r) + " c_attn+c_proj").c_str() : "full",
                  long(threads), human_count(double(trainable)).c_str(), seconds * 1e3,
                  double(B * T) / seconds,
                  human_bytes(double(optimizer_state_bytes(*adamw))).c_str(),
                  human_bytes(double(file_size(weights_file))).c_str());
      std::fflush(stdout);
    }
  }
  fs::remove_all(temp);
  return 0;
}
