// gpt2 init --model PRESET --out DIR: a randomly initialised model directory.
#include <cstdio>

#include "commands.h"
#include "config/presets.h"
#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "model_options.h"
#include "runtime/runtime.h"

namespace gpt2::cli {

int cmd_init(const std::vector<std::string>& argv) {
  std::string spec, out, dtype = "float32";
  bool force = false;
  ConfigArgs config_args;
  po::options_description options("gpt2 init");
  options.add_options()                                                                         //
      ("model,m", po::value(&spec)->required(), "model preset (gpt2, gpt2-medium, tiny, ...)")  //
      ("out,o", po::value(&out)->required(), "output model directory")                          //
      ("save-dtype", po::value(&dtype)->default_value("float32"), "float32 or bfloat16")        //
      ("force", po::bool_switch(&force), "overwrite an existing model directory");
  add_config_options(options, config_args);
  if (!parse("gpt2 init --model PRESET --out DIR [options]", argv, options)) return 0;
  require(!is_directory(spec),
          "--model must be a preset name for init; " + spec + " is a directory (copy it instead)");
  require(force || !file_exists(out + "/model.safetensors"),
          out + " already holds a model; pass --force to overwrite it");
  auto loaded = load_model_from_args(spec, config_args);
  if (!loaded.model) return 0;
  loaded.model->to(c10::kCPU, c10::kFloat);
  save_model_dir(*loaded.model, out, parse_dtype(dtype));
  std::printf("wrote %s (%s, seed %ld)\n", out.c_str(), loaded.source.c_str(),
              long(loaded.runtime.seed));
  return 0;
}

}  // namespace gpt2::cli
