#pragma once
// A model directory loaded for inference, the one way every command does it (generate, eval,
// its zero-shot tasks, the sampling comparison, info): the weights used from the file's mapping
// (LoadedMemory::mapping), a LoRA adapter merged in float32, the products' weights then stored
// as runtime.weights asks (store_product_weights: f32, bf16, f16 or int8), the model moved to
// its device, and on the CPU its parameters moved to huge pages in the background.
#include <string>

#include "io/inference_weights.h"
#include "model/gpt2_model.h"

namespace gpt2 {

GPT2LMHeadModel load_inference_model(const std::string& dir, const InferenceWeights& how = {});
// The same with config.json already read (read_hf_config).
GPT2LMHeadModel load_inference_model(const std::string& dir, const ModelConfig& config,
                                     const InferenceWeights& how);

// The steps after loading, for a model built another way (a preset's random weights): the
// adapter merged, the products' weights stored, the device. No huge-page move: a new model's
// parameters are already there.
void prepare_for_inference(GPT2LMHeadModelImpl& model, const InferenceWeights& how);

}  // namespace gpt2
