#include "train/precision.h"

#include <ATen/autocast_mode.h>

#include "core/error.h"

namespace gpt2 {

Precision resolve_precision(const std::string& name, c10::Device device) {
  Precision p;
  p.name = name == "auto" ? (device.is_cuda() ? "bf16" : "fp32") : name;
  if (p.name == "fp32") return p;
  p.autocast = true;
  if (p.name == "bf16") {
    p.dtype = c10::kBFloat16;
    return p;
  }
  require(p.name == "fp16",
          "train.precision: unknown value \"" + name + "\"; use auto, fp32, bf16 or fp16");
  require(device.is_cuda(),
          "train.precision fp16 needs a CUDA device (fp16 matmuls on CPU are not supported); "
          "use fp32 or bf16 on CPU");
  p.dtype = c10::kHalf;
  p.loss_scaling = true;
  return p;
}

AutocastScope::AutocastScope(const Precision& precision, c10::Device device) {
  if (!precision.autocast) return;
  active_ = true;
  cuda_ = device.is_cuda();
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled();
    old_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(precision.dtype);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    old_dtype_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(precision.dtype);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Casts of the weights are cached inside one forward; drop them when the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(old_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(old_dtype_);
  }
}

}  // namespace gpt2
