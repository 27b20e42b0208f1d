#include "io/inference_model.h"

#include "core/error.h"
#include "core/files.h"
#include "io/adapter.h"
#include "io/checkpoint.h"

namespace gpt2 {

GPT2LMHeadModel load_inference_model(const std::string& dir, const InferenceWeights& how) {
  const std::string config_path = dir + "/config.json";
  require(file_exists(config_path), dir + " is not a model directory: config.json is missing");
  return load_inference_model(dir, read_hf_config(config_path), how);
}

GPT2LMHeadModel load_inference_model(const std::string& dir, const ModelConfig& config,
                                     const InferenceWeights& how) {
  // An adapter is merged into float32 weights, which are stored in 16 bits or int8 after (auto
  // with an adapter: float32).
  const bool as_stored = how.weights == c10::ScalarType::Undefined;
  const auto load_as = !how.adapter.empty() ? c10::kFloat : how.weights;
  auto model = load_model_dir(dir, config, load_as);
  InferenceWeights resolved = how;
  if (as_stored) resolved.weights = product_weights_of(*model);
  prepare_for_inference(*model, resolved);
  if (how.device.is_cpu()) model->place_in_huge_pages_in_background();
  return model;
}

void prepare_for_inference(GPT2LMHeadModelImpl& model, const InferenceWeights& how) {
  if (!how.adapter.empty()) apply_adapter(model, how.adapter);
  // 16-bit and int8 weights are CPU and float32 activations only (apply_runtime checks): no
  // `to`, which would widen 16-bit ones again. Weights already stored so are left as they are.
  if (how.weights == c10::kFloat || how.weights == c10::ScalarType::Undefined)
    model.to(how.device, how.dtype);
  else
    store_product_weights(model, how.weights);
}

}  // namespace gpt2
