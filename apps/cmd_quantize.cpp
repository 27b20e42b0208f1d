// gpt2 quantize --model DIR --weights bf16|f16|int8 --out DIR: a model directory whose products'
// weights (every Conv1D and the tied wte / LM head) are stored in 16 bits or as int8 with one
// scale per output column, the rest float32. Loading it maps the weights as they are stored (no
// conversion at start-up): runtime.weights auto, the default, decodes with them.
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {

int cmd_quantize(const std::vector<std::string>& argv) {
  std::string dir, out, weights;
  bool force = false;
  po::options_description options("gpt2 quantize");
  options.add_options()                                                             //
      ("model,m", po::value(&dir)->required(), "model directory")                   //
      ("weights,w", po::value(&weights)->required(), "bf16, f16 or int8")           //
      ("out,o", po::value(&out)->required(), "output model directory")              //
      ("force", po::bool_switch(&force), "overwrite an existing model directory");  //
  if (!parse("gpt2 quantize --model DIR --weights bf16|f16|int8 --out DIR", argv, options))
    return 0;
  require(is_directory(dir) && file_exists(dir + "/config.json"),
          "--model " + dir + " is not a model directory (config.json and model.safetensors)");
  require(weights != "f32",
          "--weights f32: choose bf16, f16 or int8 (f32 is what training writes)");
  const c10::ScalarType dtype = parse_weights(weights);
  require(force || !file_exists(out + "/model.safetensors"),
          out + " already holds a model; pass --force to overwrite it");
  auto model = load_model_dir(dir, read_hf_config(dir + "/config.json"), dtype);
  save_model_dir_as_stored(*model, out);
  if (has_tokenizer(dir)) save_tokenizer(*load_tokenizer(dir), out);
  const double before = double(file_size(dir + "/model.safetensors"));
  const double after = double(file_size(out + "/model.safetensors"));
  std::printf("wrote %s: %s products' weights, model.safetensors %.1f MB (%.1f MB in %s)\n",
              out.c_str(), dtype_name(dtype).c_str(), after / 1e6, before / 1e6, dir.c_str());
  return 0;
}

}  // namespace gpt2::cli
