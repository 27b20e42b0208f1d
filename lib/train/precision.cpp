#include "train/precision.h"

#include "core/error.h"
#include "runtime/torch_compat.h"

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
  device_type_ = device.type();
  was_enabled_ = torch_compat::autocast_enabled(device_type_);
  old_dtype_ = torch_compat::autocast_dtype(device_type_);
  torch_compat::set_autocast_dtype(device_type_, precision.dtype);
  torch_compat::set_autocast_enabled(device_type_, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Casts of the weights are cached inside one forward; drop them when the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  torch_compat::set_autocast_enabled(device_type_, was_enabled_);
  torch_compat::set_autocast_dtype(device_type_, old_dtype_);
}

}  // namespace gpt2
