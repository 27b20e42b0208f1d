#include "io/checkpoint.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "config/json_fields.h"
#include "config/loader.h"
#include "config/presets.h"
#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "core/strings.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const char* kPrefix = "transformer.";

// GPT2Config keys that are not ModelConfig fields (model_type, attention switches).
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

// int8 product weights (a `gpt2 quantize` directory) carry their per-output-column scales as
// "<weight name>_scale", float32, one per output column: (V) for wte, (out) for a Conv1D.
const char* kScaleSuffix = "_scale";

// Every product weight's name (transformer.wte.weight, each Conv1D's weight) and the slot of its
// int8 scales in the model.
std::vector<std::pair<std::string, at::Tensor*>> product_weight_scales(GPT2LMHeadModelImpl& model) {
  std::vector<std::pair<std::string, at::Tensor*>> slots{
      {std::string(kPrefix) + "wte.weight", &model.transformer->wte_scales}};
  for (const auto& item : model.named_modules())
    if (auto* conv = item.value()->as<Conv1DImpl>())
      slots.emplace_back(item.key() + ".weight", &conv->weight_scales);
  return slots;
}

// The dtype a file stores the products' weights in, from the first MLP's: int8, 16-bit or float.
c10::ScalarType stored_product_weights(const SafetensorsFile& file) {
  for (const std::string& key :
       {std::string(kPrefix) + "h.0.mlp.c_fc.weight", std::string("h.0.mlp.c_fc.weight")}) {
    if (!file.contains(key)) continue;
    const std::string& dtype = file.entries().at(key).dtype;
    return dtype == "I8"     ? c10::kChar
           : dtype == "F16"  ? c10::kHalf
           : dtype == "BF16" ? c10::kBFloat16
                             : c10::kFloat;
  }
  return c10::kFloat;
}

}  // namespace

ModelConfig read_hf_config(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + json_error_text(e.what()) + ")");
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
  // Fields we do not build from, refused when they contradict the file: n_ctx is older readers'
  // name for n_positions; torch_dtype is informational (weights load as the file stores them).
  int64_t n_ctx = config.n_positions;
  read_field(json, path, "n_ctx", n_ctx);
  require(n_ctx == config.n_positions,
          path + ": n_ctx (" + std::to_string(n_ctx) + ") differs from n_positions (" +
              std::to_string(config.n_positions) +
              "); the model is built from n_positions: make them equal or drop n_ctx");
  std::string torch_dtype = "float32";
  read_field(json, path, "torch_dtype", torch_dtype);
  const std::vector<std::string> dtypes{"float32", "float16", "bfloat16", "float64"};
  require(std::find(dtypes.begin(), dtypes.end(), torch_dtype) != dtypes.end(),
          path + ": torch_dtype \"" + torch_dtype +
              "\" is not one of float32, float16, bfloat16, float64");
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
  json["torch_dtype"] = dtype == c10::kBFloat16 ? "bfloat16"
                        : dtype == c10::kHalf   ? "float16"
                                                : "float32";
  if (dtype == c10::kChar)  // an unknown quant_method: transformers refuses the file, loudly
    json["quantization_config"] = {
        {"quant_method", "gpt2-int8"},
        {"bits", 8},
        {"scheme", "symmetric, one float32 scale per output column (<weight>_scale)"},
        {"quantized", "the Conv1D weights and wte (the tied LM head)"}};
  return json.dump(2) + "\n";
}

void load_weights(GPT2LMHeadModelImpl& model, const std::string& path) {
  load_weights(model, SafetensorsFile(path));
}

// The scales of the int8 weights just loaded: all product weights int8 with their scales, or
// none, so that the model is one kind or the other (product_weights_of).
static void load_int8_scales(GPT2LMHeadModelImpl& model, const std::string& path,
                             const std::vector<std::string>& int8_weights,
                             std::map<std::string, at::Tensor>& scales, LoadedMemory memory) {
  const auto slots = product_weight_scales(model);
  for (const auto& [name, scale] : scales)
    require(std::find(int8_weights.begin(), int8_weights.end(), name) != int8_weights.end(),
            path + ": tensor \"" + name + kScaleSuffix + "\" scales " + name +
                ", which is not stored as I8 (only gpt2 quantize's int8 weights have scales)");
  if (int8_weights.empty()) return;
  for (const auto& name : int8_weights)
    require(std::any_of(slots.begin(), slots.end(), [&](const auto& s) { return s.first == name; }),
            path + ": tensor \"" + name +
                "\" is I8, but only the products' weights (Conv1D weights, wte) may be int8");
  for (const auto& [name, slot] : slots) {
    require(scales.count(name),
            path + ": " + name +
                (std::find(int8_weights.begin(), int8_weights.end(), name) == int8_weights.end()
                     ? " is not int8 while other product weights are; "
                     : " is int8 but its scales " + name + kScaleSuffix + " are missing; ") +
                "the file is not a whole gpt2 quantize output (quantize the model again)");
    const at::Tensor& scale = scales.at(name);
    const bool wte = name == std::string(kPrefix) + "wte.weight";
    const auto& weight = *model.named_parameters().find(name);
    const int64_t columns = weight.size(wte ? 0 : 1);
    require(scale.scalar_type() == at::kFloat && scale.dim() == 1 && scale.size(0) == columns,
            path + ": tensor \"" + name + kScaleSuffix + "\" must be F32 of shape [" +
                std::to_string(columns) + "] (one scale per output column), not " +
                std::string(c10::toString(scale.scalar_type())) + " " + shape_text(scale.sizes()));
    require(scale.isfinite().all().item<bool>(),
            path + ": tensor \"" + name + kScaleSuffix + "\" holds non-finite scales");
    *slot = memory == LoadedMemory::mapping ? scale : scale.clone();
  }
}

void load_weights(GPT2LMHeadModelImpl& model, const SafetensorsFile& file, LoadedMemory memory) {
  const std::string& path = file.path();
  at::NoGradGuard no_grad;
  auto parameters = model.named_parameters();
  std::map<std::string, bool> loaded;
  for (const auto& item : parameters) loaded[item.key()] = false;
  at::Tensor stored_lm_head;
  std::vector<std::string> unknown;
  std::map<std::string, at::Tensor> int8_scales;  // by weight name
  std::vector<std::string> int8_weights;
  for (const auto& [stored_name, entry] : file.entries()) {
    if (is_ignored_buffer(stored_name)) continue;
    if (stored_name == "lm_head.weight") {
      stored_lm_head = file.tensor(stored_name);
      continue;
    }
    std::string name = starts_with(stored_name, kPrefix) ? stored_name : kPrefix + stored_name;
    if (ends_with(name, std::string(".weight") + kScaleSuffix)) {
      int8_scales[name.substr(0, name.size() - std::strlen(kScaleSuffix))] =
          file.tensor(stored_name);
      continue;
    }
    auto* parameter = parameters.find(name);
    if (!parameter) {
      unknown.push_back(stored_name);
      continue;
    }
    require(entry.dtype == "F32" || entry.dtype == "F16" || entry.dtype == "BF16" ||
                entry.dtype == "F64" || entry.dtype == "I8",
            path + ": tensor \"" + stored_name + "\" has dtype " + entry.dtype +
                "; model weights must be F32, F16 or BF16 (or I8 with scales, from gpt2 quantize)");
    at::Tensor value = file.tensor(stored_name);
    require(value.sizes() == parameter->sizes(),
            path + ": tensor \"" + stored_name + "\" has shape " + shape_text(value.sizes()) +
                " but config.json needs " + shape_text(parameter->sizes()) +
                " (is config.json from the same model?)");
    if (entry.dtype == "I8") {
      // Stays int8: the values of a quantised product weight, its scales set below.
      parameter->requires_grad_(false);  // before set_data: an integer tensor has no gradient
      parameter->set_data(memory == LoadedMemory::mapping ? value : value.clone());
      int8_weights.push_back(name);
    } else if (memory == LoadedMemory::mapping && value.scalar_type() == parameter->scalar_type() &&
               value.is_contiguous()) {
      parameter->set_data(value);
    } else {
      parameter->copy_(value);
    }
    loaded[name] = true;
  }
  if (!unknown.empty())
    throw Error(path + ": unknown tensor(s) " + join(unknown, ", ") +
                " (not part of a GPT-2 LM head model)");
  std::vector<std::string> missing;
  for (const auto& [name, done] : loaded)
    if (!done) missing.push_back(name);
  if (!missing.empty()) throw Error(path + ": missing tensor(s) " + join(missing, ", "));
  load_int8_scales(model, path, int8_weights, int8_scales, memory);
  const std::string nonfinite = describe_nonfinite(nonfinite_parameters(model));
  if (!nonfinite.empty())
    std::fprintf(stderr,
                 "warning: %s: non-finite weights (NaN or inf): %s; outputs will not be "
                 "finite (a diverged run? try an earlier checkpoint)\n",
                 path.c_str(), nonfinite.c_str());
  if (stored_lm_head.defined()) {
    const auto& wte = model.transformer->wte->weight;
    require(
        stored_lm_head.sizes() == wte.sizes() && stored_lm_head.to(wte.scalar_type()).equal(wte),
        path +
            ": lm_head.weight differs from transformer.wte.weight; GPT-2 ties them and "
            "untied heads are not supported");
  }
}

std::vector<std::pair<std::string, int64_t>> nonfinite_parameters(
    const GPT2LMHeadModelImpl& model) {
  at::NoGradGuard no_grad;
  std::vector<std::pair<std::string, int64_t>> counts;
  for (const auto& item : model.named_parameters()) {
    // One read of the tensor: a NaN or an infinity makes the sum non-finite, so a finite sum
    // clears the tensor; only a non-finite one (a bad weight, or an overflow of the sum) pays
    // for the exact count, which allocates a mask. The sum is taken in float32 or wider: a
    // float64 sum of float32 converts the whole tensor first (10x slower, 1 GB for 124M). A
    // 16-bit tensor is summed in chunks of 1M values: a float32 sum of the whole converts it
    // into fresh memory first (GPT-2 124M in f16: 500 MB of new pages, 0.35 s of the start-up).
    const at::Tensor& value = item.value();
    if (!value.is_floating_point()) continue;
    const auto sum_type = value.element_size() < 4 ? at::kFloat : value.scalar_type();
    const int64_t chunk = value.element_size() < 4 ? int64_t(1) << 20 : value.numel();
    const at::Tensor flat = value.reshape({-1});
    bool finite = true;
    for (int64_t begin = 0; finite && begin < flat.numel(); begin += chunk)
      finite = std::isfinite(flat.narrow(0, begin, std::min(chunk, flat.numel() - begin))
                                 .sum(sum_type)
                                 .item<double>());
    if (finite) continue;
    const int64_t n = value.isfinite().logical_not().sum().item<int64_t>();
    if (n > 0) counts.emplace_back(item.key(), n);
  }
  return counts;
}

std::string describe_nonfinite(const std::vector<std::pair<std::string, int64_t>>& counts) {
  if (counts.empty()) return "";
  int64_t total = 0;
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) {
    total += n;
    parts.push_back(name + " (" + std::to_string(n) + ")");
  }
  return std::to_string(total) + " in " + join(parts, ", ");
}

// config.json against the weights' shapes, before the model is built from config.json (a wrong
// or absurd size would otherwise allocate first and fail after).
static void check_config_against_weights(const ModelConfig& config, const std::string& config_path,
                                         const SafetensorsFile& file) {
  auto entry = [&](const std::string& name) -> const SafetensorsEntry* {
    for (const std::string& key : {std::string(kPrefix) + name, name})
      if (file.contains(key)) return &file.entries().at(key);
    return nullptr;
  };
  auto expect = [&](const std::string& name, std::vector<int64_t> shape, const char* fields) {
    const SafetensorsEntry* stored = entry(name);
    if (!stored || stored->shape == shape) return;  // missing ones are named by load_weights
    throw Error(config_path + ": " + fields + " give " + name + " the shape " + shape_text(shape) +
                " but " + file.path() + " stores it as " + shape_text(stored->shape) +
                " (is config.json from the same model?)");
  };
  expect("wte.weight", {config.vocab_size, config.n_embd}, "vocab_size and n_embd");
  expect("wpe.weight", {config.n_positions, config.n_embd}, "n_positions and n_embd");
  expect("h.0.mlp.c_fc.weight", {config.n_embd, config.inner_size()}, "n_embd and n_inner");
  int64_t blocks = 0;
  for (const auto& [stored_name, stored] : file.entries()) {
    std::string name = starts_with(stored_name, kPrefix) ? stored_name.substr(12) : stored_name;
    if (!starts_with(name, "h.")) continue;
    const size_t dot = name.find('.', 2);
    const std::string digits = name.substr(2, dot == std::string::npos ? dot : dot - 2);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    blocks = std::max<int64_t>(blocks, std::stoll(digits) + 1);
  }
  require(blocks == config.n_layer,
          config_path + ": n_layer is " + std::to_string(config.n_layer) + " but " + file.path() +
              " holds " + std::to_string(blocks) +
              " transformer blocks (is config.json from the same model?)");
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
  const SafetensorsFile weights(weights_path);  // mapped and checked once, for both steps
  check_config_against_weights(config, dir + "/config.json", weights);
  GPT2LMHeadModel model(config, ModelInit::uninitialised);  // every parameter is loaded below
  const auto stored = stored_product_weights(weights);
  const auto wanted = product_weights == c10::ScalarType::Undefined ? stored : product_weights;
  // Weights stored as wanted are used in place. int8 is quantised from the loaded values, or
  // loaded as stored and dequantised when floats are wanted; 16-bit weights take the stored
  // values directly.
  const bool int8 = wanted == c10::kChar || stored == c10::kChar;
  if (!int8) store_product_weights(*model, wanted, /*keep_values=*/false);
  load_weights(*model, weights, LoadedMemory::mapping);
  if (int8) store_product_weights(*model, wanted);
  return model;
}

void save_model_dir(const GPT2LMHeadModelImpl& model, const std::string& dir,
                    c10::ScalarType dtype) {
  require(dtype == c10::kFloat || dtype == c10::kBFloat16,
          "checkpoints are written as float32 or bfloat16");
  create_folder(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model.named_parameters())
    tensors.emplace_back(item.key(), item.value().detach().to(dtype));
  write_safetensors(dir + "/model.safetensors", tensors);
  write_file_atomic(dir + "/config.json", hf_config_json(model.config(), dtype));
}

void save_model_dir_as_stored(GPT2LMHeadModelImpl& model, const std::string& dir) {
  create_folder(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model.named_parameters())
    tensors.emplace_back(item.key(), item.value().detach());
  for (const auto& [name, scales] : product_weight_scales(model))
    if (scales->defined()) tensors.emplace_back(name + kScaleSuffix, *scales);
  write_safetensors(dir + "/model.safetensors", tensors);
  write_file_atomic(dir + "/config.json",
                    hf_config_json(model.config(), product_weights_of(model)));
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
