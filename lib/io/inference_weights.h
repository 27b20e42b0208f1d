#pragma once
// How a model is loaded for inference (load_inference_model): its adapter, weights dtype and
// device. Only c10's small headers, for the declarations of callers that do not need torch.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace gpt2 {

struct InferenceWeights {
  std::string adapter;                    // a LoRA adapter directory; "" = none
  c10::ScalarType weights = c10::kFloat;  // runtime.weights; Undefined: as the file stores them
  c10::Device device = c10::Device(c10::kCPU);
  c10::ScalarType dtype = c10::kFloat;  // activations (runtime.dtype); float32 for 16-bit
                                        // and int8 weights
};

}  // namespace gpt2
