#pragma once
// Dynamic loss scaling for fp16 training (LibTorch 1.13's C++ API has no GradScaler): the loss
// is multiplied by scale() before backward so small fp16 gradients do not flush to zero; the
// gradients are divided back before clipping. A step whose gradients hold inf/NaN is skipped
// and the scale halves; after `growth_interval` finite steps in a row it doubles.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace gpt2 {

class LossScaler {
 public:
  // enabled = false: scale() is 1 and unscale() only checks for non-finite gradients.
  LossScaler(bool enabled, double init_scale = 65536.0, int64_t growth_interval = 2000,
             double growth_factor = 2.0, double backoff_factor = 0.5);

  bool enabled() const { return enabled_; }
  double scale() const { return enabled_ ? scale_ : 1.0; }
  // loss * scale()
  at::Tensor scale_loss(const at::Tensor& loss) const;
  // Divides gradients by scale(); returns true when all of them are finite.
  bool unscale(const std::vector<at::Tensor>& params) const;
  // After each step: found_finite = the result of unscale(). Returns whether to apply the step.
  bool update(bool found_finite);

  // State for checkpoints.
  int64_t growth_tracker() const { return growth_tracker_; }
  void restore(double scale, int64_t growth_tracker);

 private:
  bool enabled_;
  double scale_, growth_factor_, backoff_factor_;
  int64_t growth_interval_, growth_tracker_ = 0;
};

}  // namespace gpt2
