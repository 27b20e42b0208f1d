#pragma once
// --model DIR|PRESET for subcommands that build or load a model. A preset is the first config
// layer, so --config files and --set model.key=value refine it; a directory's config.json is
// fixed by its weights.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "model/model_config.h"
#include "runtime/runtime.h"

namespace gpt2 {
class GPT2LMHeadModelImpl;  // model/gpt2_model.h, included only where the model is used: its
                            // torch::nn headers add ~15 s to every file that includes them
}  // namespace gpt2

namespace gpt2::cli {

struct LoadedModel {
  std::shared_ptr<GPT2LMHeadModelImpl> model;  // null after --dump-config
  ModelConfig config;                          // the model's configuration
  Runtime runtime;
  std::string source;  // "directory DIR" or "preset NAME (PATH)"
};

// generate.draft_model: a model directory loaded like --model's, with the same runtime.
std::shared_ptr<GPT2LMHeadModelImpl> load_draft_model(const std::string& dir,
                                                      const Runtime& runtime);

// Loads the command's own sections, the runtime section and the model's configuration in one
// pass over the config files and --set overrides, then the model; returns an empty model after
// --dump-config (which prints all of them). A directory's config.json is read once and fixes
// the model section: a setting that would change it is an error.
// `adapter`: a LoRA adapter directory (PEFT's layout) merged into the model after loading;
// "" = none. `before_loading`, when given, runs once the sections are loaded and before the
// weights are (work that needs the settings and may run beside the loading).
LoadedModel load_model_from_args(const std::string& spec, ConfigArgs args,
                                 std::vector<SectionRef> command_sections = {},
                                 const std::string& adapter = "",
                                 const std::function<void()>& before_loading = {});

}  // namespace gpt2::cli
