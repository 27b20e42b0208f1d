// gpt2 merge-adapter --model BASE --adapter DIR --out MERGED: the base model with a LoRA
// adapter (PEFT's layout) merged into its weights, written as a plain model directory that
// needs no adapter to load; the base's tokenizer files (or the adapter's) go with it.
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {

int cmd_merge_adapter(const std::vector<std::string>& argv) {
  std::string base, adapter, out, dtype = "float32";
  bool force = false;
  po::options_description options("gpt2 merge-adapter");
  options.add_options()                                                                   //
      ("model,m", po::value(&base)->required(), "base model directory")                   //
      ("adapter,a", po::value(&adapter)->required(), "LoRA adapter directory")            //
      ("out,o", po::value(&out)->required(), "output model directory")                    //
      ("save-dtype", po::value(&dtype)->default_value("float32"), "float32 or bfloat16")  //
      ("force", po::bool_switch(&force), "overwrite an existing model directory");
  if (!parse("gpt2 merge-adapter --model BASE --adapter DIR --out MERGED", argv, options)) return 0;
  require(is_directory(base), "--model " + base + " is not a model directory");
  require(force || !file_exists(out + "/model.safetensors"),
          out + " already holds a model; pass --force to overwrite it");
  const auto save_dtype = parse_dtype(dtype);
  auto model = load_model_dir(base);
  const AdapterConfig config = apply_adapter(*model, adapter);
  save_model_dir(*model, out, save_dtype);
  const std::string tokenizer_dir = has_tokenizer(adapter) ? adapter : base;
  if (has_tokenizer(tokenizer_dir)) save_tokenizer(*load_tokenizer(tokenizer_dir), out);
  std::printf("wrote %s: %s + LoRA r=%ld alpha=%g from %s\n", out.c_str(), base.c_str(),
              long(config.lora.r), config.lora.alpha, adapter.c_str());
  return 0;
}

}  // namespace gpt2::cli
