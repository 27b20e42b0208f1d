#pragma once
// Gradient helpers for the training step: global norm, clipping, zeroing.
#include <ATen/core/Tensor.h>

#include <vector>

namespace gpt2 {

// The L2 norm of all gradients together (undefined gradients are skipped). NaN or inf when
// any gradient is not finite.
double global_grad_norm(const std::vector<at::Tensor>& params);

// Scales gradients so their global norm is at most max_norm (no-op when norm <= max_norm).
void clip_grads(const std::vector<at::Tensor>& params, double norm, double max_norm);

// Sets every gradient to zero (keeping the buffers, so all-reduce buckets stay stable).
void zero_grads(const std::vector<at::Tensor>& params);

}  // namespace gpt2
