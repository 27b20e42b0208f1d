#include "train/trainer_setup.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/files.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "model/lora.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2 {
namespace {

std::unique_ptr<Tokenizer> find_tokenizer(const TrainSections& s, const std::string& model_dir) {
  if (!s.tokenizer.path.empty()) return load_tokenizer(s.tokenizer.path);
  if (!model_dir.empty() && has_tokenizer(model_dir)) return load_tokenizer(model_dir);
  return nullptr;
}

}  // namespace

Runtime training_runtime(const RuntimeConfig& config, const DistributedEnv& env) {
  Runtime runtime = apply_runtime(config);
  if (runtime.device.is_cuda() && env.active())
    runtime.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  require(runtime.dtype == c10::kFloat,
          "training keeps fp32 weights: set runtime.dtype float32 and choose mixed precision "
          "with train.precision (bf16 or fp16)");
  require(runtime.weights == c10::kFloat || config.weights == "auto",
          "training keeps fp32 weights: runtime.weights " + config.weights +
              " is for inference; set runtime.weights f32");
  return runtime;
}

PreparedModel prepare_model(const TrainSections& s, const std::string& checkpoint) {
  PreparedModel out;
  const std::string& init = s.train.init_from;
  const bool from_dir = !checkpoint.empty() || is_directory(init);
  const std::string model_dir = !checkpoint.empty() ? checkpoint : from_dir ? init : "";
  out.tokenizer = find_tokenizer(s, model_dir);
  // An adapter run's checkpoints hold the adapter alone: the base always comes from init_from.
  const LoraConfig& adapter = s.train.adapter;
  require(!adapter.enabled() || is_directory(init),
          "train.adapter.type lora needs train.init_from to be a model directory (the base "
          "model the adapter is trained on), not \"" +
              init + "\"");
  const std::string base_dir = adapter.enabled() ? init : model_dir;

  ModelConfig config = from_dir ? read_hf_config(base_dir + "/config.json") : s.model;
  out.source = !checkpoint.empty() ? "checkpoint " + checkpoint
               : from_dir          ? "model directory " + init
                                   : (init == "scratch" ? "scratch" : "preset " + init);
  if (!from_dir && out.tokenizer && config.vocab_size < out.tokenizer->vocab_size()) {
    out.notes.push_back("model.vocab_size raised from " + std::to_string(config.vocab_size) +
                        " to the tokenizer's " + std::to_string(out.tokenizer->vocab_size()));
    config.vocab_size = out.tokenizer->vocab_size();
  }
  if (from_dir && out.tokenizer && out.tokenizer->vocab_size() > config.vocab_size)
    throw Error("the tokenizer has " + std::to_string(out.tokenizer->vocab_size()) +
                " tokens but the model in " + model_dir + " only " +
                std::to_string(config.vocab_size) + "; use the model's own tokenizer");
  if (s.train.dropout >= 0)
    config.embd_pdrop = config.attn_pdrop = config.resid_pdrop = s.train.dropout;
  require(s.data.block_size <= config.n_positions,
          "data.block_size (" + std::to_string(s.data.block_size) +
              ") exceeds the model's context n_positions (" + std::to_string(config.n_positions) +
              "); lower data.block_size");

  out.model = GPT2LMHeadModel(config);  // GPT-2 init from torch's generator (seeded by runtime)
  if (from_dir) load_weights(*out.model, base_dir + "/model.safetensors");
  if (adapter.enabled()) {
    const auto parameters = attach_lora(*out.model, adapter);  // A from torch's generator
    // Resuming, the checkpoint's adapter is the run's; train.adapter.init_from only starts it.
    if (!checkpoint.empty())
      load_adapter_weights(*out.model, checkpoint + "/" + kAdapterWeights);
    else if (!adapter.init_from.empty())
      load_adapter_to_train(*out.model, adapter, adapter.init_from);
    int64_t count = 0;
    for (const auto& item : parameters) count += item.second.numel();
    out.notes.push_back(
        "LoRA r=" + std::to_string(adapter.r) + " on " + std::to_string(parameters.size() / 2) +
        " layers: " + std::to_string(count) + " trainable parameters, the base frozen" +
        (checkpoint.empty() && !adapter.init_from.empty()
             ? "; A and B from the adapter " + adapter.init_from
             : ""));
  }
  return out;
}

}  // namespace gpt2
