// The GPU bench: GPT-2 124M training steps in bf16 autocast at (B, T) = (16, 1024) with tokens/s
// and MFU against the measured bf16 matmul rate, and greedy decoding at batch 1 and 64 through
// the generator, tokens/s. Also writes the logits of a fixed input, so a peer that loads the
// same model directory (scripts/gpu_peers.py) can check it computes the same function. Without a
// GPU it runs the same code on the CPU at toy sizes (a rehearsal, not a measurement).
//
//   bench_cuda [--model-dir DIR] [--out FILE.json] [--steps N]
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <torch/cuda.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/model_source.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"
#include "train/flops.h"
#include "train/grad_utils.h"
#include "train/param_groups.h"
#include "train/precision.h"

using namespace gpt2;

namespace {

void synchronize(c10::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// FLOP/s of an n x n x n matmul in `dtype`: n = 8192 on CUDA (smaller ones measure launches).
double matmul_rate(c10::Device device, c10::ScalarType dtype, int64_t n) {
  auto options = at::TensorOptions().dtype(dtype).device(device);
  auto a = at::randn({n, n}, options), b = at::randn({n, n}, options);  // (n, n)
  for (int i = 0; i < 3; ++i) at::mm(a, b);
  synchronize(device);
  const int repeats = 10;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) at::mm(a, b);
  synchronize(device);
  return 2.0 * n * n * n * repeats / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  std::string model_dir, out_path;
  int steps = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--model-dir")
      model_dir = argv[i + 1];
    else if (flag == "--out")
      out_path = argv[i + 1];
    else if (flag == "--steps")
      steps = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "bench_cuda: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const bool cuda = at::hasCUDA();
  const c10::Device device = cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (cuda) {
    at::globalContext().setAllowTF32CuBLAS(false);  // the logits below in full fp32
  } else {
    at::set_num_threads(int(available_cores()));
    std::printf("no CUDA device: the same steps on the CPU at toy sizes (a rehearsal)\n");
  }
  const int64_t B = cuda ? 16 : 2, T = cuda ? 1024 : 64;
  const int64_t matmul_n = cuda ? 8192 : 512;
  nlohmann::json results;
  results["device"] = cuda ? "cuda" : "cpu";

  at::manual_seed(0);
  GPT2LMHeadModel model =
      model_dir.empty() ? GPT2LMHeadModel(ModelConfig{}) : load_model_dir(model_dir);
  const ModelConfig config = model->config();
  model->to(device);

  // Logits of a fixed input, for the peers' same-function check.
  if (!out_path.empty()) {
    at::NoGradGuard no_grad;
    model->eval();
    auto ids = at::arange(64, at::kLong).remainder(config.vocab_size).view({1, 64});  // (1, 64)
    auto logits = model->forward(ids.to(device)).logits.to(at::kCPU);                 // (1, 64, V)
    write_safetensors(out_path + ".logits.safetensors", {{"input_ids", ids}, {"logits", logits}});
  }

  // Training: fwd + bwd + clip + AdamW, bf16 autocast (fp32 weights and optimizer state).
  if (cuda) at::globalContext().setAllowTF32CuBLAS(true);  // as the peers' runs allow
  {
    model->train();
    auto params = model->parameters();
    auto adamw = make_adamw(split_param_groups(*model), {6e-4, 0.1, 0.9, 0.95, 1e-8});
    const Precision precision = resolve_precision(cuda ? "bf16" : "fp32", device);
    auto ids = at::randint(config.vocab_size, {B, T + 1}, at::kLong).to(device);  // (B, T+1)
    ForwardArgs args;
    args.targets = ids.narrow(1, 1, T);  // (B, T)
    auto inputs = ids.narrow(1, 0, T);   // (B, T)
    auto train_step = [&] {
      zero_grads(params);
      at::Tensor loss;
      {
        AutocastScope autocast(precision, device);
        loss = model->forward(inputs, args).loss;
      }
      loss.backward();
      clip_grads(params, global_grad_norm(params), 1.0);
      adamw->step();
    };
    for (int i = 0; i < 3; ++i) train_step();  // warm-up: allocator, kernels, optimizer state
    synchronize(device);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) train_step();
    synchronize(device);
    const double step_s = seconds_since(start) / steps;
    const double tokens_per_s = double(B * T) / step_s;
    const double peak = matmul_rate(device, cuda ? at::kBFloat16 : at::kFloat, matmul_n);
    const double mfu = training_flops_per_token(config, T) * tokens_per_s / peak;
    std::printf(
        "| training (%s)      | (B, T) = (%ld, %ld) | %8.1f ms/step | %10.0f tokens/s | "
        "MFU %5.1f%% of %.3g TFLOP/s |\n",
        precision.name.c_str(), long(B), long(T), step_s * 1e3, tokens_per_s, 100 * mfu,
        peak / 1e12);
    results["train"] = {{"precision", precision.name},
                        {"B", B},
                        {"T", T},
                        {"ms_per_step", step_s * 1e3},
                        {"tokens_per_s", tokens_per_s},
                        {"mfu", mfu},
                        {"matmul_flops", peak}};
  }

  // Greedy decoding through the generator (KV cache), 16-token prompts, 128 new tokens.
  {
    model->eval();
    std::shared_ptr<GPT2LMHeadModelImpl> shared = model.ptr();
    ModelSource source(shared, /*use_cache=*/true);
    const int64_t new_tokens = cuda ? 128 : 16;
    for (int64_t batch : {int64_t(1), cuda ? int64_t(64) : int64_t(4)}) {
      std::vector<std::vector<int64_t>> prompts(batch);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t t = 0; t < 16; ++t) prompts[b].push_back((b * 131 + t * 17) % 50000);
      GenerationOptions options;
      options.config.max_new_tokens = new_tokens;
      options.config.ignore_eos = true;
      options.config.batch_size = batch;
      options.config.validate();
      generate(source, prompts, options);  // warm-up
      synchronize(device);
      auto start = std::chrono::steady_clock::now();
      auto out = generate(source, prompts, options);
      synchronize(device);
      const double seconds = seconds_since(start);
      const double tokens_per_s = double(batch * new_tokens) / seconds;
      std::printf(
          "| greedy decoding      | batch %3ld, %ld new  | %8.2f ms/step | %10.0f tokens/s |\n",
          long(batch), long(new_tokens), seconds / new_tokens * 1e3, tokens_per_s);
      results["decode"].push_back({{"batch", batch},
                                   {"new_tokens", new_tokens},
                                   {"ms_per_step", seconds / new_tokens * 1e3},
                                   {"tokens_per_s", tokens_per_s},
                                   {"first_tokens", out.front().front().tokens}});
    }
  }
  if (!out_path.empty()) std::ofstream(out_path) << results.dump(2) << "\n";
  return 0;
}
