#pragma once
// --model DIR|PRESET for subcommands that build or load a model. A preset is the first config
// layer, so --config files and --set model.key=value refine it; a directory's config.json is
// fixed by its weights.
#include <string>

#include "cli.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"

namespace gpt2::cli {

struct LoadedModel {
  GPT2LMHeadModel model{nullptr};
  Runtime runtime;
  std::string source;  // "directory DIR" or "preset NAME (PATH)"
};

// Loads the runtime section and the model; returns an empty model after --dump-config.
LoadedModel load_model_from_args(const std::string& spec, ConfigArgs args);

}  // namespace gpt2::cli
