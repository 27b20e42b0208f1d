#pragma once
// Model directories in the Hugging Face layout: config.json (GPT2Config fields) and
// model.safetensors. A GPT-2 from the hub loads as it is; ours load in transformers unchanged.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/gpt2_model.h"

namespace gpt2 {

class SafetensorsFile;  // io/safetensors.h

// Reads config.json; throws Error naming the file and the field on bad or unsupported values.
ModelConfig read_hf_config(const std::string& path);
// config.json text for `config` (GPT2Config fields, model_type gpt2).
std::string hf_config_json(const ModelConfig& config, c10::ScalarType dtype = c10::kFloat);

// Loads <dir>/config.json and <dir>/model.safetensors into a float32 CPU model. Accepts keys
// with and without the "transformer." prefix, ignores attn.bias / attn.masked_bias buffers,
// and accepts a stored lm_head.weight equal to transformer.wte.weight.
GPT2LMHeadModel load_model_dir(const std::string& dir);
// The same with config.json already read (read_hf_config), the products' weights stored as
// `product_weights` (store_product_weights: float32, bfloat16, float16 or int8 for decoding;
// Undefined: as the file stores them). A tensor stored in its parameter's dtype is used in place
// (LoadedMemory::mapping), others are copied once into it: a bf16 file loads into bf16 weights
// without passing through fp32; int8 is quantised after loading in float32, or, from a file of
// int8 weights (gpt2 quantize), loaded as stored and dequantised when floats are asked for.
GPT2LMHeadModel load_model_dir(const std::string& dir, const ModelConfig& config,
                               c10::ScalarType product_weights = c10::kFloat);

// How load_weights gives a parameter its value. copy: into the model's own memory, so nothing
// of the model points into the mapping (training: the optimizer writes every weight). mapping:
// a value stored in the parameter's own dtype is not copied, the parameter points into the
// file's mapping (private to this process: a write copies the page), which lives as long as the
// parameter does; no memory is allocated and touched at start-up (inference; the model may move
// to huge pages later, place_in_huge_pages_in_background). Other values are copied.
enum class LoadedMemory { copy, mapping };

// Loads a safetensors state dict into `model`, checking names and shapes; `path` names the
// file in errors. Non-finite weights (NaN, inf) are loaded but warned about once on stderr.
void load_weights(GPT2LMHeadModelImpl& model, const std::string& path);
void load_weights(GPT2LMHeadModelImpl& model, const SafetensorsFile& file,
                  LoadedMemory memory = LoadedMemory::copy);

// The parameters holding NaN or infinite values, with how many each (none: empty).
std::vector<std::pair<std::string, int64_t>> nonfinite_parameters(const GPT2LMHeadModelImpl& model);
// "12 in transformer.h.0.attn.c_attn.weight (10), transformer.wte.weight (2)"; "" when none.
std::string describe_nonfinite(const std::vector<std::pair<std::string, int64_t>>& counts);

// Writes config.json and model.safetensors atomically. dtype: kFloat (default) or kBFloat16.
void save_model_dir(const GPT2LMHeadModelImpl& model, const std::string& dir,
                    c10::ScalarType dtype = c10::kFloat);

// Writes config.json and model.safetensors with every parameter in the dtype it has now: the
// products' weights as store_product_weights left them (bf16, f16, or int8 with their scales as
// "<name>_scale"), the rest float32 (gpt2 quantize). config.json says which (torch_dtype; for
// int8 a quantization_config that other readers refuse rather than misread).
void save_model_dir_as_stored(GPT2LMHeadModelImpl& model, const std::string& dir);

// A model directory (has config.json) or a preset name from configs/model/ (randomly
// initialised with the current torch seed).
GPT2LMHeadModel load_model(const std::string& dir_or_preset);

// The ModelConfig of a directory or preset, without building the model.
ModelConfig model_config_of(const std::string& dir_or_preset);

}  // namespace gpt2
