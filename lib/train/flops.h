#pragma once
// Training FLOPs and the machine's matmul rate, for MFU (model FLOPs utilisation).
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>

#include "model/model_config.h"

namespace gpt2 {

// FLOPs of forward + backward per trained token at context T: 6 per weight (PaLM appendix B,
// counting the tied LM head once as the vocab projection) plus 12 * n_layer * n_embd * T for
// attention scores and values. With frozen base weights and `adapter_weights` trained ones
// beside them (LoRA's A and B), the base weights cost 4 (forward and the input gradient; no
// weight gradient) and the adapters 6.
double training_flops_per_token(const ModelConfig& config, int64_t T, int64_t adapter_weights = -1);

// Measured FLOP/s of a (1024 x 1024) @ (1024 x 1024) matmul in `dtype` on `device` with the
// current thread setting: the practical peak that MFU is measured against.
double measure_matmul_flops(c10::Device device, c10::ScalarType dtype, int repeats = 5);

}  // namespace gpt2
