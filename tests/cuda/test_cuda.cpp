// The CUDA path against the CPU path and the float64 references: golden logits, fused
// attention (LibTorch >= 2.0) with and without padding, generation, training steps, mixed
// precision, exact resume, NCCL. Each case passes with a "skipped" warning where no CUDA device
// is present, so this program runs everywhere; scripts/gpu_check.sh runs it on a GPU.
#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "generate/generator.h"
#include "generate/model_source.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/gpt2_model.h"
#include "test_support.h"
#include "train/distributed.h"
#include "train/precision.h"
#include "train/signals.h"
#include "train/trainer.h"
#include "train_test_util.h"

namespace fs = std::filesystem;
using namespace gpt2;

namespace {

// False (with a warning naming the case) when there is no CUDA device: the case is skipped.
bool cuda_present() {
  if (at::hasCUDA()) return true;
  WARN("no CUDA device: skipped");
  return false;
}

// fp32 matmuls in full fp32 (TF32 would round inputs to 10 mantissa bits: ~1e-3 errors).
void disable_tf32() {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

std::vector<std::string> golden_dirs() {
  std::string root = test::data_path("GPT2_GOLDEN_DIR", "golden");
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(root))
    if (fs::exists(entry.path() / "expected.safetensors")) dirs.push_back(entry.path().string());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

const c10::Device kCuda(c10::kCUDA, 0);

double max_abs_difference(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kCPU).to(at::kDouble) - b.to(at::kCPU).to(at::kDouble))
      .abs()
      .max()
      .item<double>();
}

}  // namespace

TEST_CASE("CUDA fp32 logits of the golden models match the float64 reference within 1e-4") {
  if (!cuda_present()) return;
  disable_tf32();
  at::NoGradGuard no_grad;
  for (const auto& dir : golden_dirs()) {
    INFO("golden dir " << dir);
    auto model = load_model_dir(dir);
    model->eval();
    model->to(kCuda);
    SafetensorsFile expected(dir + "/expected.safetensors");
    auto input_ids = expected.tensor("input_ids");             // (2, T)
    auto reference = expected.tensor("logits");                // (2, T, V)
    auto logits = model->forward(input_ids.to(kCuda)).logits;  // (2, T, V)
    double error = max_abs_difference(logits, reference);
    WARN("fp32 CUDA max |logits - float64 reference| = " << error << " (" << dir << ")");
    CHECK(error < 1e-4);
  }
}

TEST_CASE("CUDA bf16 autocast logits stay within 3% of the logits' range of the reference") {
  if (!cuda_present()) return;
  at::NoGradGuard no_grad;
  for (const auto& dir : golden_dirs()) {
    INFO("golden dir " << dir);
    auto model = load_model_dir(dir);
    model->eval();
    model->to(kCuda);
    SafetensorsFile expected(dir + "/expected.safetensors");
    auto input_ids = expected.tensor("input_ids");  // (2, T)
    auto reference = expected.tensor("logits");     // (2, T, V)
    at::Tensor logits;
    {
      AutocastScope autocast(resolve_precision("bf16", kCuda), kCuda);
      logits = model->forward(input_ids.to(kCuda)).logits;  // (2, T, V)
    }
    double range = reference.abs().max().item<double>();
    double error = max_abs_difference(logits, reference);
    WARN("bf16 CUDA max |logits - reference| = " << error << ", logits range " << range);
    CHECK(error < 0.03 * range);
  }
}

TEST_CASE("CUDA logits of a left-padded batch equal the CPU's (masked fused attention)") {
  if (!cuda_present()) return;
  disable_tf32();
  at::NoGradGuard no_grad;
  auto dir = golden_dirs().front();
  auto model = load_model_dir(dir);
  model->eval();
  SafetensorsFile expected(dir + "/expected.safetensors");
  auto ids = expected.tensor("input_ids").narrow(1, 0, 12).clone();  // (2, 12)
  auto mask = at::ones_like(ids);                                    // (2, 12)
  mask[1].narrow(0, 0, 5).zero_();                                   // row 1: 5 pads
  ForwardArgs args;
  args.attention_mask = mask;
  args.position_ids = position_ids_from_mask(mask);
  auto cpu = model->forward(ids, args).logits;  // (2, 12, V)
  model->to(kCuda);
  args.attention_mask = mask.to(kCuda);
  args.position_ids = args.position_ids.to(kCuda);
  auto cuda = model->forward(ids.to(kCuda), args).logits;  // (2, 12, V)
  // Padded query positions hold no meaning; compare the real ones.
  double error = std::max(max_abs_difference(cuda[0], cpu[0]),
                          max_abs_difference(cuda[1].narrow(0, 5, 7), cpu[1].narrow(0, 5, 7)));
  WARN("padded batch: max |CUDA - CPU| = " << error);
  CHECK(error < 1e-4);
}

TEST_CASE("CUDA greedy and beam decoding give the CPU's tokens on the golden models") {
  if (!cuda_present()) return;
  disable_tf32();
  for (const auto& dir : golden_dirs()) {
    INFO("golden dir " << dir);
    std::shared_ptr<GPT2LMHeadModelImpl> cpu_model = load_model_dir(dir).ptr();
    std::shared_ptr<GPT2LMHeadModelImpl> cuda_model = load_model_dir(dir).ptr();
    cuda_model->to(kCuda);
    const std::vector<std::vector<int64_t>> prompts = {{1, 2, 3, 4, 5}, {7, 8}};
    for (const std::string strategy : {"greedy", "beam"}) {
      GenerationOptions options;
      options.config.strategy = strategy;
      options.config.num_beams = strategy == "beam" ? 3 : 1;
      options.config.max_new_tokens = 8;
      options.config.ignore_eos = true;
      options.config.validate();
      ModelSource cpu(cpu_model, /*use_cache=*/true), cuda(cuda_model, /*use_cache=*/true);
      auto want = generate(cpu, prompts, options);
      auto got = generate(cuda, prompts, options);
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        INFO(strategy << " prompt " << i);
        CHECK(got[i].front().tokens == want[i].front().tokens);
      }
    }
  }
}

TEST_CASE("CUDA fp32 training: 5 steps give the CPU's losses within 1e-4") {
  if (!cuda_present()) return;
  disable_tf32();
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto run = [&](const std::string& device) {
    auto s = test::tiny_sections(dir.path(), dir.file("run_" + device));
    s.runtime.device = device;
    s.train.precision = "fp32";
    s.train.max_steps = 5;
    std::vector<double> losses;
    TrainOptions options;
    options.on_step = [&](int64_t, double loss) { losses.push_back(loss); };
    train(s, options);
    return losses;
  };
  auto cpu = run("cpu");
  auto cuda = run("cuda");
  REQUIRE(cpu.size() == 5);
  REQUIRE(cuda.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    INFO("step " << i + 1 << ": cpu " << cpu[i] << ", cuda " << cuda[i]);
    CHECK(std::abs(cpu[i] - cuda[i]) < 1e-4);
  }
}

TEST_CASE(
    "CUDA bf16 and fp16 (loss-scaled) training lower the loss and fp16 counts skipped steps") {
  if (!cuda_present()) return;
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  for (const std::string precision : {"bf16", "fp16"}) {
    INFO("precision " << precision);
    auto s = test::tiny_sections(dir.path(), dir.file("run_" + precision));
    s.runtime.device = "cuda";
    s.train.precision = precision;
    s.train.max_steps = 40;
    s.train.eval_interval = 40;
    std::vector<double> losses;
    TrainOptions options;
    options.on_step = [&](int64_t, double loss) { losses.push_back(loss); };
    options.poison_step = [](int64_t step) { return step == 10; };  // one non-finite step
    TrainResult result = train(s, options);
    REQUIRE(!losses.empty());
    WARN(precision << ": first loss " << losses.front() << ", last " << losses.back()
                   << ", skipped steps " << result.skipped_steps);
    CHECK(losses.back() < losses.front() - 0.5);
    CHECK(result.skipped_steps >= 1);
  }
}

TEST_CASE("CUDA exact resume: a resumed fp32 run repeats the uninterrupted run's losses") {
  if (!cuda_present()) return;
  disable_tf32();
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto full = test::tiny_sections(dir.path(), dir.file("full"));
  full.runtime.device = "cuda";
  full.train.precision = "fp32";
  full.train.dropout = 0.1;  // the CUDA generator's state is part of the checkpoint
  std::vector<double> full_losses;
  TrainOptions record;
  record.on_step = [&](int64_t, double loss) { full_losses.push_back(loss); };
  train(full, record);
  REQUIRE(full_losses.size() == 8);

  auto part = full;
  part.train.out_dir = dir.file("part");
  TrainOptions stop;
  stop.on_step = [](int64_t step, double) {
    if (step == 3) request_stop();
  };
  train(part, stop);
  clear_stop_request();
  std::vector<double> resumed;
  TrainOptions resume;
  resume.resume = true;
  resume.on_step = [&](int64_t, double loss) { resumed.push_back(loss); };
  train(part, resume);
  REQUIRE(resumed.size() == 4);
  // cuBLAS picks the same kernels for the same shapes, so fp32 repeats bit for bit here; a
  // difference within 1e-6 would still be a faithful resume.
  for (size_t i = 0; i < 4; ++i) CHECK(std::abs(resumed[i] - full_losses[4 + i]) <= 1e-6);
}

TEST_CASE("NCCL process group at world size 1: init, broadcast, all-reduce") {
  if (!cuda_present()) return;
  DistributedEnv env;
  env.master_port = test::free_port();
  env.form_group_alone = true;
  try {
    Distributed dist(env, "nccl", kCuda, 60);
    auto t = at::arange(4, at::TensorOptions().dtype(at::kFloat).device(kCuda));  // (4)
    dist.broadcast({t});
    dist.all_reduce_sum(t);
    CHECK(max_abs_difference(t, at::arange(4).to(at::kFloat)) == 0.0);
    dist.barrier();
  } catch (const Error& e) {
    // A LibTorch without NCCL says so; that is the answer on such a build, not a failure.
    std::string what = e.what();
    INFO(what);
    CHECK(what.find("without NCCL") != std::string::npos);
    WARN("NCCL not in this LibTorch: " << what);
  }
}
