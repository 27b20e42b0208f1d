#include "model_options.h"

#include "config/presets.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"

namespace gpt2::cli {

LoadedModel load_model_from_args(const std::string& spec, ConfigArgs args) {
  LoadedModel loaded;
  RuntimeConfig runtime_config;
  ModelConfig model_config;
  const bool from_dir = is_directory(spec);
  if (!from_dir) {
    std::string preset = find_preset("model", spec);
    args.files.insert(args.files.begin(), preset);
    loaded.source = "preset " + spec + " (" + preset + ")";
  } else {
    model_config = read_hf_config(spec + "/config.json");
    loaded.source = "directory " + spec;
  }
  std::vector<SectionRef> sections = {section_ref(runtime_config)};
  if (!from_dir) sections.push_back(section_ref(model_config));
  if (!load_sections(args, sections)) return loaded;
  loaded.runtime = apply_runtime(runtime_config);
  auto model = from_dir ? load_model_dir(spec) : GPT2LMHeadModel(model_config);
  model->to(loaded.runtime.device, loaded.runtime.dtype);
  loaded.config = model->config();
  loaded.model = model.ptr();
  return loaded;
}

}  // namespace gpt2::cli
