#pragma once
// The few LibTorch API differences between Debian's 1.13 (CI) and 2.x (CUDA builds), behind
// version checks in this one header: autocast state per device type (2.4 replaced the CPU/GPU
// pairs of calls and later releases drop them) and scaled_dot_product_attention (2.0+). Include
// it only from .cpp files: it pulls in ATen.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#define GPT2_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||       \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace gpt2::torch_compat {

inline bool autocast_enabled(c10::DeviceType device) {
#if GPT2_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

inline void set_autocast_enabled(c10::DeviceType device, bool enabled) {
#if GPT2_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::kCUDA)
    at::autocast::set_enabled(enabled);
  else
    at::autocast::set_cpu_enabled(enabled);
#endif
}

inline c10::ScalarType autocast_dtype(c10::DeviceType device) {
#if GPT2_TORCH_AT_LEAST(2, 4)
  return at::autocast::get_autocast_dtype(device);
#else
  return device == c10::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                              : at::autocast::get_autocast_cpu_dtype();
#endif
}

inline void set_autocast_dtype(c10::DeviceType device, c10::ScalarType dtype) {
#if GPT2_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::kCUDA)
    at::autocast::set_autocast_gpu_dtype(dtype);
  else
    at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

// LibTorch has the fused attention op (flash / memory-efficient kernels on CUDA).
constexpr bool kHasScaledDotProductAttention = GPT2_TORCH_AT_LEAST(2, 0);

// softmax(q k^T / sqrt(hs) + mask) v, with dropout: q (B, nh, T, hs), k and v (B, nh, S, hs).
// mask: undefined, or additive in q's dtype, broadcastable to (B, nh, T, S). causal: the
// queries are the last T of S positions and attend causally (flash kernels need this form).
inline at::Tensor scaled_dot_product_attention(const at::Tensor& q, const at::Tensor& k,
                                               const at::Tensor& v, const at::Tensor& mask,
                                               double dropout_p, bool causal) {
#if GPT2_TORCH_AT_LEAST(2, 0)
  c10::optional<at::Tensor> attn_mask;
  if (mask.defined()) attn_mask = mask;
  return at::scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, causal);  // (B,nh,T,hs)
#else
  (void)q, (void)k, (void)v, (void)mask, (void)dropout_p, (void)causal;
  TORCH_CHECK(false, "scaled_dot_product_attention needs LibTorch 2.0 or later");
#endif
}

}  // namespace gpt2::torch_compat
