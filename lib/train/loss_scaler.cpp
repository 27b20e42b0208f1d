#include "train/loss_scaler.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "core/error.h"

namespace gpt2 {

LossScaler::LossScaler(bool enabled, double init_scale, int64_t growth_interval,
                       double growth_factor, double backoff_factor)
    : enabled_(enabled),
      scale_(init_scale),
      growth_factor_(growth_factor),
      backoff_factor_(backoff_factor),
      growth_interval_(growth_interval) {
  require(init_scale > 0 && growth_interval > 0 && growth_factor > 1 && backoff_factor > 0 &&
              backoff_factor < 1,
          "loss scaler: need scale > 0, growth_interval > 0, growth > 1, 0 < backoff < 1");
}

at::Tensor LossScaler::scale_loss(const at::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<at::Tensor>& params) const {
  at::NoGradGuard no_grad;
  const double inverse = 1.0 / scale();
  std::vector<at::Tensor> flags;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    if (enabled_) p.grad().mul_(inverse);
    flags.push_back(p.grad().isfinite().all());  // () bool
  }
  if (flags.empty()) return true;
  return at::stack(flags).all().item<bool>();
}

bool LossScaler::update(bool found_finite) {
  if (!enabled_) return found_finite;
  if (!found_finite) {
    scale_ *= backoff_factor_;
    growth_tracker_ = 0;
    return false;
  }
  if (++growth_tracker_ >= growth_interval_) {
    scale_ *= growth_factor_;
    growth_tracker_ = 0;
  }
  return true;
}

void LossScaler::restore(double scale, int64_t growth_tracker) {
  scale_ = scale;
  growth_tracker_ = growth_tracker;
}

}  // namespace gpt2
