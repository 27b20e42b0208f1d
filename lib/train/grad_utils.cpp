#include "train/grad_utils.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

namespace gpt2 {

double global_grad_norm(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().detach().to(at::kFloat).norm());  // ()
  if (norms.empty()) return 0.0;
  return at::stack(norms).norm().item<double>();
}

void clip_grads(const std::vector<at::Tensor>& params, double norm, double max_norm) {
  if (max_norm <= 0 || !(norm > max_norm)) return;
  const double coef = max_norm / (norm + 1e-6);
  at::NoGradGuard no_grad;
  for (const auto& p : params)
    if (p.grad().defined()) p.grad().mul_(coef);
}

void zero_grads(const std::vector<at::Tensor>& params) {
  at::NoGradGuard no_grad;
  for (const auto& p : params)
    if (p.grad().defined()) p.grad().zero_();
}

}  // namespace gpt2
