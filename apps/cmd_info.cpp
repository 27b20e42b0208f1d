// gpt2 info --model DIR|PRESET: configuration, parameter count, memory and a forward timing.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "core/strings.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "model_options.h"
#include "runtime/runtime.h"

namespace gpt2::cli {

constexpr int64_t kMaxRepeats = 100000;  // timed passes: a bound that ends in a sitting

int cmd_info(const std::vector<std::string>& argv) {
  std::string spec;
  int64_t batch = 1, seq = 0, repeats = 3;  // seq 0: min(128, n_positions)
  bool timing = true;
  ConfigArgs config_args;
  RuntimeConfig runtime_fields;  // declares --weights (runtime.weights)
  FieldFlags weights_flag(section_ref(runtime_fields), {"weights"});
  po::options_description options("gpt2 info");
  options.add_options()                                                                         //
      ("model,m", po::value(&spec)->required(), "model directory or preset (gpt2, tiny, ...)")  //
      ("batch", po::value(&batch)->default_value(1), "batch size of the timed forward pass")    //
      ("seq", po::value(&seq),
       "sequence length of the timed pass (default min(128, n_positions))")                 //
      ("repeats", po::value(&repeats)->default_value(3), "timed passes (median reported)")  //
      ("no-timing", po::bool_switch()->notifier([&](bool off) { timing = !off; }),
       "skip the forward pass");
  weights_flag.add_to(options);
  add_config_options(options, config_args);
  po::positional_options_description positional;
  positional.add("model", 1);
  if (!parse("gpt2 info --model DIR|PRESET [options]", argv, options, &positional)) return 0;
  require(batch >= 1, "--batch must be at least 1 (got " + std::to_string(batch) + ")");
  require(repeats >= 1 && repeats <= kMaxRepeats, "--repeats must be from 1 to " +
                                                      std::to_string(kMaxRepeats) + " (got " +
                                                      std::to_string(repeats) + ")");
  require(seq >= 0,
          "--seq must be at least 1, or 0 for the default (got " + std::to_string(seq) + ")");
  weights_flag.collect(config_args);
  auto loaded = load_model_from_args(spec, config_args);
  if (!loaded.model) return 0;
  const ModelConfig& c = loaded.model->config();

  int64_t parameters = 0;
  double bytes = 0;  // as stored: the products' weights may be 16-bit (runtime.weights)
  for (const auto& p : loaded.model->parameters()) {
    parameters += p.numel();
    bytes += double(p.nbytes());
  }
  const int64_t embedding = c.vocab_size * c.n_embd + c.n_positions * c.n_embd;
  std::printf("model        %s\n", loaded.source.c_str());
  std::printf(
      "shape        n_layer %ld  n_head %ld  n_embd %ld  n_inner %ld  n_positions %ld  "
      "vocab_size %ld\n",
      long(c.n_layer), long(c.n_head), long(c.n_embd), long(c.inner_size()), long(c.n_positions),
      long(c.vocab_size));
  std::printf("parameters   %s (%ld; %s without embeddings; LM head tied to wte)\n",
              human_count(double(parameters)).c_str(), long(parameters),
              human_count(double(parameters - embedding)).c_str());
  std::printf("memory       %s of weights: %s, Conv1D and LM head %s\n", human_bytes(bytes).c_str(),
              dtype_name(loaded.runtime.dtype).c_str(),
              dtype_name(product_weights_of(*loaded.model)).c_str());
  const std::string nonfinite = describe_nonfinite(nonfinite_parameters(*loaded.model));
  std::printf("non-finite   %s\n", nonfinite.empty() ? "none" : nonfinite.c_str());
  std::printf("runtime      %s, %ld threads\n", loaded.runtime.device.str().c_str(),
              long(loaded.runtime.threads));
  if (!timing) return 0;

  if (seq == 0) seq = std::min<int64_t>(128, c.n_positions);
  require(seq <= c.n_positions, "--seq " + std::to_string(seq) + " exceeds the model's context (" +
                                    "n_positions " + std::to_string(c.n_positions) +
                                    "); give at most " + std::to_string(c.n_positions));
  // The pass's logits and a layer's activations, float32: refused before they are allocated.
  const double pass_bytes = double(batch) * double(seq) * double(c.vocab_size + 8 * c.n_embd) * 4;
  const double memory = physical_memory_bytes();
  require(memory <= 0 || pass_bytes <= memory,
          "--batch " + std::to_string(batch) + " x --seq " + std::to_string(seq) + " needs about " +
              human_bytes(pass_bytes) + " for one forward pass; this machine has " +
              human_bytes(memory) + ": give a smaller batch");
  loaded.model->eval();
  at::NoGradGuard no_grad;
  auto ids = at::randint(c.vocab_size, {batch, seq},
                         at::TensorOptions().dtype(at::kLong).device(loaded.runtime.device));
  std::vector<double> seconds;
  for (int64_t i = 0; i <= repeats; ++i) {  // the first pass warms up
    auto start = std::chrono::steady_clock::now();
    auto logits = loaded.model->forward(ids).logits;
    logits.sum().item<float>();  // waits for the device
    if (i > 0)
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  std::printf("forward      (B, T) = (%ld, %ld): %.1f ms, %s tokens/s (median of %ld)\n",
              long(batch), long(seq), median * 1e3,
              human_count(double(batch * seq) / median).c_str(), long(repeats));
  return 0;
}

}  // namespace gpt2::cli
