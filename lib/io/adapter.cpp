#include "io/adapter.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "core/strings.h"
#include "io/safetensors.h"
#include "model/lora.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const char* kConfigFile = kAdapterConfig;
const char* kWeightsFile = kAdapterWeights;
const std::string kPeftPrefix = "base_model.model.";  // PeftModel -> LoraModel -> the HF model

// A field PEFT uses for features we do not implement: absent, null, false, or empty.
bool unused(const nlohmann::json& json, const char* key) {
  if (!json.contains(key)) return true;
  const auto& v = json[key];
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) ||
         ((v.is_object() || v.is_array()) && v.empty());
}

template <class T>
T get(const nlohmann::json& json, const std::string& path, const char* key, const char* what) {
  require(json.contains(key), path + ": field \"" + key + "\" is missing (" + what + ")");
  try {
    return json[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": field \"" + key + "\" has value " + json[key].dump() + "; expected " +
                what);
  }
}

// The Conv1D paths the adapter config selects on this model.
std::vector<std::string> selected_paths(const GPT2LMHeadModelImpl& model,
                                        const AdapterConfig& config, const std::string& where) {
  if (config.target_regex.empty()) {
    try {
      return lora_target_paths(model, config.lora.target_modules);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
  }
  std::regex pattern;
  try {
    pattern = std::regex(config.target_regex);
  } catch (const std::regex_error&) {
    throw Error(where + ": target_modules \"" + config.target_regex +
                "\" is not a valid regular expression");
  }
  std::vector<std::string> all = lora_target_paths(model, {"c_attn", "c_proj", "c_fc"}), paths;
  for (const auto& path : all)
    if (std::regex_match(path, pattern)) paths.push_back(path);
  require(!paths.empty(), where + ": target_modules \"" + config.target_regex +
                              "\" matches no layer of GPT-2 (module paths look like "
                              "transformer.h.0.attn.c_attn)");
  return paths;
}

// <dir>/adapter_model.safetensors; throws Error when it is missing.
std::string weights_path(const std::string& dir) {
  const std::string weights = dir + "/" + kWeightsFile;
  require(file_exists(weights), dir + ": " + kWeightsFile + " is missing" +
                                    (file_exists(dir + "/adapter_model.bin")
                                         ? " (only adapter_model.bin is there: save the adapter "
                                           "with PEFT's save_pretrained(safe_serialization=True))"
                                         : ""));
  return weights;
}

// 16 for 16.0, 0.5 for 0.5: as a user writes the value in YAML.
std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

bool is_adapter_dir(const std::string& dir) {
  return file_exists(dir + "/" + kConfigFile);
}

AdapterConfig read_adapter_config(const std::string& dir) {
  const std::string path = dir + "/" + kConfigFile;
  require(file_exists(path), dir + " is not a LoRA adapter directory: " + kConfigFile +
                                 " is missing (is it a model directory? give it to --model)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + json_error_text(e.what()) + ")");
  }
  require(json.is_object(), path + ": expected a JSON object of PEFT LoraConfig fields");
  const auto type = get<std::string>(json, path, "peft_type", "a text such as \"LORA\"");
  require(type == "LORA", path + ": peft_type is " + type + "; only LORA adapters are supported");
  AdapterConfig out;
  out.lora.type = "lora";
  out.lora.r = get<int64_t>(json, path, "r", "a positive integer rank");
  require(out.lora.r > 0, path + ": r must be a positive integer rank");
  out.lora.alpha =
      json.contains("lora_alpha") ? get<double>(json, path, "lora_alpha", "a number") : 8.0;
  require(out.lora.alpha > 0, path + ": lora_alpha must be > 0");
  if (json.contains("lora_dropout") && !json["lora_dropout"].is_null())
    out.lora.dropout = get<double>(json, path, "lora_dropout", "a number in [0, 1)");
  require(out.lora.dropout >= 0 && out.lora.dropout < 1, path + ": lora_dropout must be in [0, 1)");
  if (json.contains("use_rslora") && !json["use_rslora"].is_null())
    out.lora.use_rslora = get<bool>(json, path, "use_rslora", "true or false");
  const auto& targets = json.contains("target_modules") ? json["target_modules"] : nlohmann::json();
  if (targets.is_string()) {
    out.target_regex = targets.get<std::string>();
    out.lora.target_modules.clear();
  } else {
    out.lora.target_modules =
        get<std::vector<std::string>>(json, path, "target_modules", "a list of layer names");
    require(!out.lora.target_modules.empty(), path + ": target_modules is empty");
  }
  if (json.contains("bias") && !json["bias"].is_null())
    out.lora.bias = get<std::string>(json, path, "bias", "none, all or lora_only");
  require(out.lora.bias == "none",
          path + ": bias is " + out.lora.bias + "; only adapters with bias \"none\" are supported");
  for (const char* key : {"use_dora", "rank_pattern", "alpha_pattern", "modules_to_save",
                          "layers_to_transform", "layer_replication"})
    if (!unused(json, key))
      throw Error(path + ": " + key + " is " + json[key].dump() +
                  "; this feature of PEFT is not supported here");
  if (json.contains("base_model_name_or_path") && json["base_model_name_or_path"].is_string())
    out.base_model = json["base_model_name_or_path"].get<std::string>();
  return out;
}

void save_adapter(const GPT2LMHeadModelImpl& model, const LoraConfig& config,
                  const std::string& dir, const std::string& base_model) {
  const auto parameters = lora_parameters(model);
  require(!parameters.empty(), "the model has no LoRA adapters to save");
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [name, value] : parameters) {
    require(!ends_with(name, ".lora_A.weight") || value.size(0) == config.r,
            "internal: adapter " + name + " has rank " + std::to_string(value.size(0)) +
                " but its config says r = " + std::to_string(config.r));
    tensors.emplace_back(kPeftPrefix + name, value.detach().to(at::kFloat));
  }
  nlohmann::ordered_json json;
  json["peft_type"] = "LORA";
  json["task_type"] = "CAUSAL_LM";
  json["base_model_name_or_path"] = base_model;
  json["r"] = config.r;
  json["lora_alpha"] = config.alpha;
  json["lora_dropout"] = config.dropout;
  json["target_modules"] = config.target_modules;
  json["fan_in_fan_out"] = true;  // GPT-2's Conv1D stores W as (in, out)
  json["bias"] = config.bias;
  json["use_rslora"] = config.use_rslora;
  json["use_dora"] = false;
  json["init_lora_weights"] = true;
  json["inference_mode"] = true;
  json["modules_to_save"] = nullptr;
  json["layers_to_transform"] = nullptr;
  json["rank_pattern"] = nlohmann::json::object();
  json["alpha_pattern"] = nlohmann::json::object();
  json["revision"] = nullptr;
  create_folder(dir);
  write_safetensors(dir + "/" + kWeightsFile, tensors);
  write_file_atomic(dir + "/" + kConfigFile, json.dump(2) + "\n");
}

void load_adapter_weights(GPT2LMHeadModelImpl& model, const std::string& path) {
  SafetensorsFile file(path);
  std::map<std::string, at::Tensor> expected;
  for (const auto& [name, value] : lora_parameters(model)) expected[name] = value;
  require(!expected.empty(), "internal: load_adapter_weights on a model without adapters");
  std::vector<std::string> unknown;
  std::set<std::string> loaded;
  at::NoGradGuard no_grad;
  for (const auto& [stored, entry] : file.entries()) {
    const std::string name =
        starts_with(stored, kPeftPrefix) ? stored.substr(kPeftPrefix.size()) : stored;
    auto it = expected.find(name);
    if (it == expected.end()) {
      unknown.push_back(stored);
      continue;
    }
    require(entry.dtype == "F32" || entry.dtype == "F16" || entry.dtype == "BF16" ||
                entry.dtype == "F64",
            path + ": tensor \"" + stored + "\" has dtype " + entry.dtype +
                "; adapter weights must be F32, F16, BF16 or F64");
    at::Tensor value = file.tensor(stored);
    require(value.sizes() == it->second.sizes(),
            path + ": tensor \"" + stored + "\" has shape " + shape_text(value.sizes()) +
                " but the base model's layer with the adapter's r needs " +
                shape_text(it->second.sizes()) +
                " (is the adapter for this base model, and does adapter_config.json give its r?)");
    it->second.copy_(value);
    loaded.insert(name);
  }
  if (!unknown.empty())
    throw Error(path + ": unknown tensor(s) " + join(unknown, ", ") +
                " (not LoRA weights of the layers adapter_config.json's target_modules select)");
  std::vector<std::string> missing;
  for (const auto& item : expected)
    if (!loaded.count(item.first)) missing.push_back(kPeftPrefix + item.first);
  if (!missing.empty()) throw Error(path + ": missing tensor(s) " + join(missing, ", "));
}

AdapterConfig load_adapter(GPT2LMHeadModelImpl& model, const std::string& dir) {
  AdapterConfig config = read_adapter_config(dir);
  const std::string weights = weights_path(dir);
  LoraConfig attach = config.lora;
  attach.target_modules = selected_paths(model, config, dir + "/" + kConfigFile);
  attach_lora(model, attach);
  load_adapter_weights(model, weights);
  return config;
}

void load_adapter_to_train(GPT2LMHeadModelImpl& model, const LoraConfig& config,
                           const std::string& dir) {
  const AdapterConfig stored = read_adapter_config(dir);
  const std::string where = dir + "/" + kConfigFile;
  std::vector<std::string> differences, fixes;
  auto compare = [&](const std::string& key, const std::string& ours, const std::string& stored_key,
                     const std::string& theirs) {
    if (ours == theirs) return;
    differences.push_back("train.adapter." + key + " is " + ours + " but the adapter's " +
                          stored_key + " is " + theirs);
    fixes.push_back("--set 'train.adapter." + key + "=" + theirs + "'");
  };
  compare("r", std::to_string(config.r), "r", std::to_string(stored.lora.r));
  compare("alpha", number_text(config.alpha), "lora_alpha", number_text(stored.lora.alpha));
  compare("use_rslora", config.use_rslora ? "true" : "false", "use_rslora",
          stored.lora.use_rslora ? "true" : "false");
  // Layers, not names: PEFT may list them in another order, as full paths or as a pattern.
  if (lora_target_paths(model, config.target_modules) != selected_paths(model, stored, where)) {
    const std::string theirs = stored.target_regex.empty()
                                   ? "[" + join(stored.lora.target_modules, ",") + "]"
                                   : "\"" + stored.target_regex + "\"";
    differences.push_back("train.adapter.target_modules [" + join(config.target_modules, ",") +
                          "] selects other layers than the adapter's target_modules " + theirs);
    if (stored.target_regex.empty())
      fixes.push_back("--set 'train.adapter.target_modules=" + theirs + "'");
  }
  if (!differences.empty())
    throw Error("train.adapter.init_from " + dir + " does not fit train.adapter (" + where +
                "): " + join(differences, "; ") + ". To continue this adapter set " +
                (fixes.empty() ? std::string("train.adapter to match it") : join(fixes, " ")) +
                "; to train a new adapter leave train.adapter.init_from empty");
  load_adapter_weights(model, weights_path(dir));
}

AdapterConfig apply_adapter(GPT2LMHeadModelImpl& model, const std::string& dir) {
  AdapterConfig config = load_adapter(model, dir);
  merge_lora(model);
  return config;
}

}  // namespace gpt2
