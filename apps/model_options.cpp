#include "model_options.h"

#include "config/presets.h"
#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "io/inference_model.h"
#include "model/gpt2_model.h"

namespace gpt2::cli {

LoadedModel load_model_from_args(const std::string& spec, ConfigArgs args,
                                 std::vector<SectionRef> command_sections,
                                 const std::string& adapter,
                                 const std::function<void()>& before_loading) {
  LoadedModel loaded;
  RuntimeConfig runtime_config;
  ModelConfig model_config;
  const bool from_dir = is_directory(spec);
  std::string fixed;  // the directory's model section, which nothing may change
  if (!from_dir) {
    std::string preset = find_preset("model", spec);
    args.files.insert(args.files.begin(), preset);
    loaded.source = "preset " + spec + " (" + preset + ")";
  } else {
    model_config = read_hf_config(spec + "/config.json");
    fixed = dump_config({section_ref(model_config)});
    loaded.source = "directory " + spec;
  }
  std::vector<SectionRef> sections = std::move(command_sections);
  sections.push_back(section_ref(runtime_config));
  sections.push_back(section_ref(model_config));
  if (!load_sections(args, sections)) return loaded;
  require(!from_dir || dump_config({section_ref(model_config)}) == fixed,
          spec +
              "/config.json fixes the model's configuration: remove the model settings "
              "from --set and the config files (or give a preset name to --model)");
  loaded.runtime = apply_runtime(runtime_config);
  const auto& runtime = loaded.runtime;
  const InferenceWeights how{adapter, runtime.weights, runtime.device, runtime.dtype};
  if (before_loading) before_loading();
  GPT2LMHeadModel model{nullptr};
  if (from_dir) {
    model = load_inference_model(spec, model_config, how);
  } else {
    model = GPT2LMHeadModel(model_config);
    prepare_for_inference(*model, how);
  }
  if (!adapter.empty()) loaded.source += " + adapter " + adapter;
  loaded.config = model->config();
  loaded.model = model.ptr();
  return loaded;
}

std::shared_ptr<GPT2LMHeadModelImpl> load_draft_model(const std::string& dir,
                                                      const Runtime& runtime) {
  require(is_directory(dir), "generate.draft_model: " + dir +
                                 " is not a model directory (config.json and model.safetensors, "
                                 "e.g. a run's exported checkpoint)");
  auto model = load_inference_model(dir, {"", runtime.weights, runtime.device, runtime.dtype});
  return model.ptr();
}

}  // namespace gpt2::cli
