#pragma once
// --model DIR|PRESET for subcommands that build or load a model. A preset is the first config
// layer, so --config files and --set model.key=value refine it; a directory's config.json is
// fixed by its weights.
#include <memory>
#include <string>

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

// Loads the runtime section and the model; returns an empty model after --dump-config.
LoadedModel load_model_from_args(const std::string& spec, ConfigArgs args);

}  // namespace gpt2::cli
