#pragma once
// Training precision: fp32 (default on CPU), bf16 autocast (default on CUDA; CPU autocast
// works too, slowly), fp16 autocast with dynamic loss scaling (CUDA only). Weights and
// optimizer state stay fp32 in every mode.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace gpt2 {

struct Precision {
  std::string name = "fp32";  // fp32 | bf16 | fp16
  bool autocast = false;
  c10::ScalarType dtype = c10::kFloat;
  bool loss_scaling = false;
};

// "auto" -> bf16 on CUDA, fp32 elsewhere. Throws Error for fp16 without CUDA.
Precision resolve_precision(const std::string& name, c10::Device device);

// Enables autocast for `device` in the precision's dtype for its lifetime (no-op for fp32).
class AutocastScope {
 public:
  AutocastScope(const Precision& precision, c10::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false, was_enabled_ = false;
  c10::DeviceType device_type_ = c10::kCPU;
  c10::ScalarType old_dtype_ = c10::kFloat;
};

}  // namespace gpt2
