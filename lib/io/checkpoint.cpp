#include "io/checkpoint.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "config/json_fields.h"
#include "config/loader.h"
#include "config/presets.h"
#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const char* kPrefix = "transformer.";

template <class T>
void read_field(const nlohmann::json& json, const std::string& path, const char* key, T& out) {
  if (!json.contains(key) || json[key].is_null()) return;
  try {
    out = json[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": field \"" + key + "\" has value " + json[key].dump() +
                " of the wrong type");
  }
}

// Buffers that HF checkpoints may carry and that we recompute: the causal mask and its fill.
bool is_ignored_buffer(const std::string& key) {
  return ends_with(key, ".attn.bias") || ends_with(key, ".attn.masked_bias");
}

std::string shape_text(at::IntArrayRef shape) {
  std::vector<std::string> parts;
  for (auto d : shape) parts.push_back(std::to_string(d));
  return "[" + join(parts, ", ") + "]";
}

}  // namespace

ModelConfig read_hf_config(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!json.is_object()) throw Error(path + ": expected a JSON object of GPT2Config fields");
  std::string model_type = "gpt2";
  read_field(json, path, "model_type", model_type);
  require(model_type == "gpt2",
          path + ": model_type is \"" + model_type + "\"; only GPT-2 (\"gpt2\") is supported");
  ModelConfig config;
  read_json_fields(section_ref(config), json, path);  // GPT2Config's names are ModelConfig's
  bool tied = true, scale_attn = true, scale_by_layer = false, upcast_reorder = false;
  read_field(json, path, "tie_word_embeddings", tied);
  read_field(json, path, "scale_attn_weights", scale_attn);
  read_field(json, path, "scale_attn_by_inverse_layer_idx", scale_by_layer);
  read_field(json, path, "reorder_and_upcast_attn", upcast_reorder);
  require(tied, path + ": tie_word_embeddings is false; GPT-2 ties the LM head to wte");
  require(scale_attn && !scale_by_layer && !upcast_reorder,
          path +
              ": non-standard attention scaling (scale_attn_weights / "
              "scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn) is not supported");
  // Rules (positive sizes, known activation) and cross-field checks, named after this file.
  SectionRef section = section_ref(config);
  try {
    validate_config({section});
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return config;
}

std::string hf_config_json(const ModelConfig& config, c10::ScalarType dtype) {
  nlohmann::ordered_json json;
  json["model_type"] = "gpt2";
  json["architectures"] = {"GPT2LMHeadModel"};
  ModelConfig fields = config;
  write_json_fields(section_ref(fields), json);
  json["n_ctx"] = config.n_positions;  // older readers' name for the context
  // GPT2Config: n_inner null means 4 * n_embd (0 would build an empty MLP).
  if (config.n_inner == 0) json["n_inner"] = nullptr;
  json["tie_word_embeddings"] = true;
  json["torch_dtype"] = dtype == c10::kBFloat16 ? "bfloat16" : "float32";
  return json.dump(2) + "\n";
}

void load_weights(GPT2LMHeadModelImpl& model, const std::string& path) {
  SafetensorsFile file(path);
  at::NoGradGuard no_grad;
  auto parameters = model.named_parameters();
  std::map<std::string, bool> loaded;
  for (const auto& item : parameters) loaded[item.key()] = false;
  at::Tensor stored_lm_head;
  std::vector<std::string> unknown;
  for (const auto& [stored_name, entry] : file.entries()) {
    if (is_ignored_buffer(stored_name)) continue;
    if (stored_name == "lm_head.weight") {
      stored_lm_head = file.tensor(stored_name);
      continue;
    }
    std::string name = starts_with(stored_name, kPrefix) ? stored_name : kPrefix + stored_name;
    auto* parameter = parameters.find(name);
    if (!parameter) {
      unknown.push_back(stored_name);
      continue;
    }
    require(entry.dtype == "F32" || entry.dtype == "F16" || entry.dtype == "BF16" ||
                entry.dtype == "F64",
            path + ": tensor \"" + stored_name + "\" has dtype " + entry.dtype +
                "; model weights must be F32, F16 or BF16");
    at::Tensor value = file.tensor(stored_name);
    require(value.sizes() == parameter->sizes(),
            path + ": tensor \"" + stored_name + "\" has shape " + shape_text(value.sizes()) +
                " but config.json needs " + shape_text(parameter->sizes()) +
                " (is config.json from the same model?)");
    parameter->copy_(value);
    loaded[name] = true;
  }
  if (!unknown.empty())
    throw Error(path + ": unknown tensor(s) " + join(unknown, ", ") +
                " (not part of a GPT-2 LM head model)");
  std::vector<std::string> missing;
  for (const auto& [name, done] : loaded)
    if (!done) missing.push_back(name);
  if (!missing.empty()) throw Error(path + ": missing tensor(s) " + join(missing, ", "));
  if (stored_lm_head.defined()) {
    const auto& wte = model.transformer->wte->weight;
    require(
        stored_lm_head.sizes() == wte.sizes() && stored_lm_head.to(wte.scalar_type()).equal(wte),
        path +
            ": lm_head.weight differs from transformer.wte.weight; GPT-2 ties them and "
            "untied heads are not supported");
  }
}

GPT2LMHeadModel load_model_dir(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  require(file_exists(config_path), dir + " is not a model directory: config.json is missing");
  return load_model_dir(dir, read_hf_config(config_path));
}

GPT2LMHeadModel load_model_dir(const std::string& dir, const ModelConfig& config,
                               c10::ScalarType product_weights) {
  const std::string weights_path = dir + "/model.safetensors";
  if (!file_exists(weights_path)) {
    std::string hint = file_exists(dir + "/pytorch_model.bin")
                           ? " (only pytorch_model.bin is there: save it as safetensors with "
                             "transformers' save_pretrained(safe_serialization=True))"
                           : "";
    throw Error(dir + ": model.safetensors is missing" + hint);
  }
  GPT2LMHeadModel model(config, ModelInit::uninitialised);  // every parameter is loaded below
  // int8 is quantised from the loaded values; 16-bit weights take the stored values directly.
  const bool int8 = product_weights == c10::kChar;
  if (!int8) store_product_weights(*model, product_weights, /*keep_values=*/false);
  load_weights(*model, weights_path);
  if (int8) store_product_weights(*model, product_weights);
  return model;
}

void save_model_dir(const GPT2LMHeadModelImpl& model, const std::string& dir,
                    c10::ScalarType dtype) {
  require(dtype == c10::kFloat || dtype == c10::kBFloat16,
          "checkpoints are written as float32 or bfloat16");
  fs::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model.named_parameters())
    tensors.emplace_back(item.key(), item.value().detach().to(dtype));
  write_safetensors(dir + "/model.safetensors", tensors);
  write_file_atomic(dir + "/config.json", hf_config_json(model.config(), dtype));
}

ModelConfig model_config_of(const std::string& dir_or_preset) {
  if (is_directory(dir_or_preset)) return read_hf_config(dir_or_preset + "/config.json");
  ModelConfig config;
  load_config({section_ref(config)}, {{find_preset("model", dir_or_preset)}, {}});
  return config;
}

GPT2LMHeadModel load_model(const std::string& dir_or_preset) {
  if (is_directory(dir_or_preset)) return load_model_dir(dir_or_preset);
  return GPT2LMHeadModel(model_config_of(dir_or_preset));
}

}  // namespace gpt2
