// LoRA fine-tuning through the one training loop: only adapter parameters reach the optimizer,
// checkpoints hold the adapter (PEFT layout) and its optimizer state but not the frozen base,
// a resumed run ends with the uninterrupted run's adapter bit for bit, and pruning works; a run
// continues from an adapter directory (train.adapter.init_from, gpt2 train --adapter).
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/lora.h"
#include "random_adapter.h"
#include "test_support.h"
#include "train/param_groups.h"
#include "train/signals.h"
#include "train/trainer.h"
#include "train/trainer_setup.h"
#include "train_test_util.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

// A base model directory with the tiny sections' shapes, random weights.
std::string write_base(const test::TempDir& dir) {
  TrainSections s = test::tiny_sections(dir.path(), "");
  at::manual_seed(3);
  GPT2LMHeadModel base(s.model);
  save_model_dir(*base, dir.file("base"));
  return dir.file("base");
}

TrainSections lora_sections(const test::TempDir& dir, const std::string& out) {
  TrainSections s = test::tiny_sections(dir.path(), dir.file(out));
  s.train.init_from = dir.file("base");
  s.train.adapter.type = "lora";
  s.train.adapter.r = 4;
  s.train.adapter.alpha = 8;
  s.train.adapter.dropout = 0.1;  // the generator state matters across the resume
  s.train.adapter.target_modules = {"c_attn", "c_proj"};
  s.train.lr = 1e-2;
  return s;
}

// The adapter tensors of a checkpoint, by name.
std::vector<std::pair<std::string, at::Tensor>> adapter_tensors(const std::string& dir) {
  SafetensorsFile file(dir + "/adapter_model.safetensors");
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : file.entries())
    out.emplace_back(item.first, file.tensor(item.first).clone());
  return out;
}

}  // namespace

TEST_CASE("lora training: only adapter parameters are trainable and in the optimizer groups") {
  test::TempDir dir;
  write_base(dir);
  auto model = load_model_dir(dir.file("base"));
  LoraConfig config;
  config.type = "lora";
  config.target_modules = {"c_fc"};
  attach_lora(*model, config);
  ParamGroups groups = split_param_groups(*model);
  CHECK(groups.no_decay.empty());
  REQUIRE(groups.decay_names.size() == 4);  // 2 blocks x (A, B)
  for (const auto& name : groups.decay_names) CHECK_THAT(name, Contains(".mlp.c_fc.lora_"));
}

TEST_CASE(
    "lora training: checkpoints hold the adapter, resume is exact, pruning keeps the newest") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_base(dir);
  auto full = lora_sections(dir, "full");
  full.train.checkpoint_interval = 2;
  full.train.keep_last = 2;
  full.train.keep_best = false;
  std::vector<double> full_losses;
  TrainOptions record;
  record.on_step = [&](int64_t, double loss) { full_losses.push_back(loss); };
  TrainResult a = train(full, record);
  REQUIRE(full_losses.size() == 8);
  CHECK(full_losses.back() < full_losses.front());
  // Pruned to the 2 newest; each is an adapter directory without base weights.
  const std::string run = dir.file("full/checkpoints");
  CHECK(!std::filesystem::exists(run + "/step_00000004"));
  const std::string last = run + "/step_00000008";
  REQUIRE(std::filesystem::exists(run + "/step_00000006"));
  CHECK(file_exists(last + "/adapter_model.safetensors"));
  CHECK(file_exists(last + "/adapter_config.json"));
  CHECK(!file_exists(last + "/model.safetensors"));
  CHECK(read_adapter_config(last).base_model == dir.file("base"));
  // The optimizer state holds AdamW's two moments of the adapter only: far below those of the
  // base's parameters, which it would hold with the base trainable.
  int64_t base_numel = 0, adapter_numel = 0;
  for (const auto& p : load_model_dir(dir.file("base"))->parameters()) base_numel += p.numel();
  for (const auto& t : adapter_tensors(last)) adapter_numel += t.second.numel();
  CHECK(adapter_numel < base_numel / 5);
  CHECK(file_size(last + "/trainer_state.pt") < uintmax_t(2 * 4 * base_numel / 2));
  CHECK(file_size(last + "/trainer_state.pt") > uintmax_t(2 * 4 * adapter_numel));

  // Stopped after step 3 (the request is seen at step 4), then resumed.
  auto part = full;
  part.train.out_dir = dir.file("part");
  TrainOptions stop;
  stop.on_step = [](int64_t step, double) {
    if (step == 3) request_stop();
  };
  TrainResult b = train(part, stop);
  clear_stop_request();
  REQUIRE(b.steps == 4);
  std::vector<double> resumed_losses;
  TrainOptions resume;
  resume.resume = true;
  resume.on_step = [&](int64_t, double loss) { resumed_losses.push_back(loss); };
  TrainResult c = train(part, resume);
  CHECK(c.steps == 8);
  REQUIRE(resumed_losses.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(resumed_losses[i] == full_losses[4 + i]);  // bit-equal
  CHECK(c.last_val_loss == a.last_val_loss);
  auto want = adapter_tensors(last), got = adapter_tensors(dir.file("part/latest"));
  REQUIRE(want.size() == got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(want[i].first == got[i].first);
    CHECK(want[i].second.equal(got[i].second));
  }

  // The trained adapter on its base changes the model; the base directory is untouched.
  auto base = load_model_dir(dir.file("base"));
  auto adapted = load_model_dir(dir.file("base"));
  load_adapter(*adapted, last);
  at::NoGradGuard no_grad;
  auto input = at::arange(16, at::kLong).view({1, 16});  // (B, T)
  CHECK((adapted->forward(input).logits - base->forward(input).logits).abs().max().item<double>() >
        1e-4);
}

TEST_CASE("lora training: train.adapter is a nested section in YAML and --set") {
  test::TempDir dir;
  write_file_atomic(dir.file("a.yaml"),
                    "train:\n  adapter: {type: lora, r: 16, alpha: 32, target_modules: [c_attn, "
                    "c_fc]}\n  init_from: base\n");
  TrainConfig config;
  load_config({section_ref(config)},
              {{dir.file("a.yaml")}, {"train.adapter.r=4", "train.adapter.dropout=0.05"}, {}});
  CHECK(config.adapter.enabled());
  CHECK(config.adapter.r == 4);
  CHECK(config.adapter.alpha == 32);
  CHECK(config.adapter.dropout == 0.05);
  CHECK(config.adapter.target_modules == std::vector<std::string>{"c_attn", "c_fc"});
  // The dump nests it and reads back the same.
  const std::string dumped = dump_config({section_ref(config)});
  CHECK_THAT(dumped, Contains("adapter:"));
  write_file_atomic(dir.file("dumped.yaml"), dumped);
  TrainConfig again;
  load_config({section_ref(again)}, {{dir.file("dumped.yaml")}, {}, {}});
  CHECK(dump_config({section_ref(again)}) == dumped);
  // Bad values and keys are named with their full path.
  auto load_fresh = [](const std::string& assignment) {
    TrainConfig fresh;
    load_config({section_ref(fresh)}, {{}, {assignment}, {}});
  };
  CHECK_THROWS_WITH(load_fresh("train.adapter.r=0"),
                    Contains("train.adapter.r") && Contains("must be > 0"));
  CHECK_THROWS_WITH(
      load_fresh("train.adapter.alhpa=4"),
      Contains("train.adapter.alhpa") && Contains("did you mean \"train.adapter.alpha\""));
  CHECK_THROWS_WITH(load_fresh("train.adapter.target_modules=[q_proj]"),
                    Contains("train.adapter.target_modules") && Contains("q_proj"));
  CHECK_THROWS_WITH(load_fresh("train.adapter=4"),
                    Contains("train.adapter") && Contains("mapping"));
  CHECK_THROWS_WITH(load_fresh("train.adapter.type=lora"), Contains("train.init_from"));
}

TEST_CASE("lora training: 2 Gloo ranks with batch 2 end with 1 process's adapter (batch 4)") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_base(dir);
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string cli = "timeout 300 '" + test::cli_path() + "'";
  // As in the full-model case (test_distributed.cpp): constant schedule, eps 1e-4.
  const std::string common = " train --config " + dir.file("tiny.yaml") +
                             " --set train.init_from=" + dir.file("base") +
                             " --set train.adapter.type=lora --set train.adapter.r=4"
                             " --set 'train.adapter.target_modules=[c_attn,c_fc]'"
                             " --set train.schedule=constant --set train.dropout=0"
                             " --set train.eps=1e-4 --set train.lr=1e-2 --set train.max_steps=4";
  std::string output;
  REQUIRE(
      test::shell(cli + common + " --set data.batch_size=4 --set train.out_dir=" + dir.file("one"),
                  output) == 0);
  const std::string env =
      "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(test::free_port()) + " ";
  const std::string args =
      common + " --set data.batch_size=2 --set train.out_dir=" + dir.file("two");
  int code =
      test::shell("(RANK=1 LOCAL_RANK=1 " + env + cli + args + " > " + dir.file("rank1.log") +
                      " 2>&1 &) ; RANK=0 LOCAL_RANK=0 " + env + cli + args,
                  output);
  INFO(output);
  REQUIRE(code == 0);
  CHECK_THAT(output, Contains("2 rank(s) over gloo"));
  auto one = adapter_tensors(dir.file("one/latest")), two = adapter_tensors(dir.file("two/latest"));
  REQUIRE(one.size() == two.size());
  REQUIRE(one.size() == 8);
  double diff = 0, change = 0;
  for (size_t i = 0; i < one.size(); ++i) {
    diff = std::max(diff, (one[i].second - two[i].second).abs().max().item<double>());
    if (one[i].first.find("lora_B") != std::string::npos)  // B starts at 0
      change = std::max(change, one[i].second.abs().max().item<double>());
  }
  INFO("max |difference| " << diff << ", max |B| " << change);
  CHECK(diff <= 1e-6);
  CHECK(change > 1e-3);
}

namespace {

// An adapter directory as a finished run (or PEFT) leaves it: r 4, alpha 8 on c_attn and
// c_proj, A and B drawn at random (B != 0, so it changes the base's outputs), its
// target_modules listed in another order than train.adapter's.
std::string write_start_adapter(const test::TempDir& dir) {
  LoraConfig config;
  config.type = "lora";
  config.r = 4;
  config.alpha = 8;
  config.target_modules = {"c_proj", "c_attn"};
  at::manual_seed(21);
  test::write_random_adapter(dir.file("base"), config, 0.05, dir.file("start"));
  return dir.file("start");
}

// A LoRA run (as lora_sections) whose adapter starts from write_start_adapter's.
TrainSections continuing_sections(const test::TempDir& dir, const std::string& out) {
  test::write_tiny_shards(dir.path());
  write_base(dir);
  auto s = lora_sections(dir, out);
  s.train.adapter.init_from = write_start_adapter(dir);
  return s;
}

at::Tensor logits_of(GPT2LMHeadModelImpl& model) {
  model.eval();
  at::NoGradGuard no_grad;
  auto input = at::arange(16, at::kLong).remainder(64).view({1, 16});  // (B, T)
  return model.forward(input).logits;                                  // (B, T, V)
}

}  // namespace

TEST_CASE("lora training: train.adapter.init_from continues an adapter's A and B") {
  test::TempDir dir;
  auto s = continuing_sections(dir, "continued");
  const std::string start = s.train.adapter.init_from;
  s.train.adapter.dropout = 0;

  // At step 0 the model is what generate --adapter DIR decodes with: base + adapter merged.
  PreparedModel prepared = prepare_model(s, "");
  auto merged = load_model_dir(dir.file("base"));
  apply_adapter(*merged, start);
  const double diff = (logits_of(*prepared.model) - logits_of(*merged)).abs().max().item<double>();
  INFO("max |continued - generate --adapter| " << diff);
  CHECK(diff < 1e-5);
  auto base = load_model_dir(dir.file("base"));
  CHECK((logits_of(*prepared.model) - logits_of(*base)).abs().max().item<double>() > 1e-3);
  CHECK_THAT(prepared.notes.back(), Contains("A and B from the adapter " + start));
  // Only A and B train.
  std::vector<std::string> trainable;
  for (const auto& item : prepared.model->named_parameters())
    if (item.value().requires_grad()) trainable.push_back(item.key());
  REQUIRE(trainable.size() == 12);  // 2 blocks x (c_attn, attn.c_proj, mlp.c_proj) x (A, B)
  for (const auto& name : trainable) CHECK_THAT(name, Contains(".lora_"));

  // Training from it starts at the adapter's loss (not the base's, as a new adapter does),
  // lowers it, and changes every A and B; the base directory is untouched.
  const std::string base_bytes = read_file(dir.file("base/model.safetensors"));
  std::vector<double> continued, fresh;
  TrainOptions record;
  record.on_step = [&](int64_t, double loss) { continued.push_back(loss); };
  train(s, record);
  auto new_run = s;
  new_run.train.adapter.init_from.clear();
  new_run.train.out_dir = dir.file("fresh");
  record.on_step = [&](int64_t, double loss) { fresh.push_back(loss); };
  train(new_run, record);
  REQUIRE(continued.size() == 8);
  CHECK(continued.front() != fresh.front());
  CHECK(continued.back() < continued.front());
  auto before = adapter_tensors(start), after = adapter_tensors(dir.file("continued/latest"));
  REQUIRE(before.size() == 12);
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    CHECK(before[i].first == after[i].first);
    CHECK(!before[i].second.equal(after[i].second));
  }
  CHECK(read_file(dir.file("base/model.safetensors")) == base_bytes);
}

TEST_CASE("lora training: an adapter unlike train.adapter is refused naming both values") {
  test::TempDir dir;
  auto s = continuing_sections(dir, "run");
  const std::string start = s.train.adapter.init_from;
  auto refusal = [&](auto change) {
    auto changed = s;
    change(changed.train.adapter);
    try {
      prepare_model(changed, "");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto wrong_r = refusal([](LoraConfig& a) { a.r = 8; });
  CHECK_THAT(wrong_r, Contains("train.adapter.init_from " + start) &&
                          Contains("train.adapter.r is 8 but the adapter's r is 4") &&
                          Contains("--set 'train.adapter.r=4'"));
  CHECK_THAT(refusal([](LoraConfig& a) { a.alpha = 16; }),
             Contains("train.adapter.alpha is 16 but the adapter's lora_alpha is 8"));
  CHECK_THAT(refusal([](LoraConfig& a) { a.use_rslora = true; }),
             Contains("train.adapter.use_rslora is true but the adapter's use_rslora is false"));
  CHECK_THAT(refusal([](LoraConfig& a) { a.target_modules = {"c_attn"}; }),
             Contains("train.adapter.target_modules [c_attn] selects other layers") &&
                 Contains("--set 'train.adapter.target_modules=[c_proj,c_attn]'"));
  CHECK_THAT(refusal([&](LoraConfig& a) { a.init_from = dir.file("base"); }),
             Contains("adapter_config.json is missing"));
  // init_from without type lora is a config error.
  TrainConfig config;
  CHECK_THROWS_WITH(
      load_config({section_ref(config)},
                  {{}, {"train.init_from=x", "train.adapter.init_from=" + start}, {}}),
      Contains("train.adapter.init_from") && Contains("train.adapter.type lora"));
}

TEST_CASE("gpt2 train --adapter DIR starts from the adapter; with --resume it is refused") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  write_base(dir);
  const std::string start = write_start_adapter(dir);
  write_file_atomic(dir.file("tiny.yaml"), test::tiny_yaml(dir.path()));
  const std::string common = "train --config '" + dir.file("tiny.yaml") +
                             "' --set train.init_from=" + dir.file("base") +
                             " --set train.adapter.r=4 --set train.max_steps=3";
  auto refused =
      test::run_cli(common + " --set train.out_dir=" + dir.file("run") + " --adapter " + start);
  INFO(refused.output);
  CHECK(refused.exit_code != 0);  // train.adapter.target_modules is [c_attn]
  CHECK_THAT(refused.output, Contains("--set 'train.adapter.target_modules=[c_proj,c_attn]'"));
  auto run = test::run_cli(common + " --set 'train.adapter.target_modules=[c_attn,c_proj]'" +
                           " --set train.out_dir=" + dir.file("run") + " --adapter " + start);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("A and B from the adapter " + start));
  auto both = test::run_cli("train --resume " + dir.file("run") + " --adapter " + start);
  CHECK(both.exit_code != 0);
  CHECK_THAT(both.output, Contains("--resume " + dir.file("run") +
                                   " already continues the adapter in its newest checkpoint"));
}
