#include "train/network_health.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>

#include "core/strings.h"

namespace gpt2 {
namespace {

double squared_norm(const at::Tensor& t) {
  return t.detach().to(at::kDouble).pow(2).sum().item<double>();  // ()
}

// Accumulates per group, keeping the order in which groups first appear.
struct GroupSums {
  std::vector<std::pair<std::string, double>> sums;
  void add(const std::string& group, double value) {
    for (auto& [name, sum] : sums)
      if (name == group) {
        sum += value;
        return;
      }
    sums.emplace_back(group, value);
  }
  double get(const std::string& group) const {
    for (const auto& [name, sum] : sums)
      if (name == group) return sum;
    return 0;
  }
};

}  // namespace

std::string health_group(const std::string& name) {
  std::string n = starts_with(name, "transformer.") ? name.substr(12) : name;
  if (starts_with(n, "wte.") || starts_with(n, "wpe.")) return "embeddings";
  if (starts_with(n, "ln_f.")) return "ln_f";
  if (starts_with(n, "h.")) {
    const size_t dot = n.find('.', 2);
    return n.substr(0, dot);
  }
  const size_t last = n.rfind('.');
  return last == std::string::npos ? n : n.substr(0, last);
}

void HealthProbe::before_update(const NamedTensors& parameters) {
  at::NoGradGuard no_grad;
  GroupSums grads;
  before_.clear();
  for (const auto& [name, p] : parameters) {
    const std::string group = health_group(name);
    grads.add(group, p.grad().defined() ? squared_norm(p.grad()) : 0.0);
    before_.emplace_back(name, p.detach().clone());
  }
  grad_sq_ = grads.sums;
}

std::vector<GroupHealth> HealthProbe::after_update(const NamedTensors& parameters) {
  at::NoGradGuard no_grad;
  GroupSums weights, updates;
  for (size_t i = 0; i < parameters.size() && i < before_.size(); ++i) {
    const auto& [name, p] = parameters[i];
    const std::string group = health_group(name);
    weights.add(group, squared_norm(p));
    updates.add(group, squared_norm(p.detach() - before_[i].second));
  }
  std::vector<GroupHealth> out;
  for (const auto& [group, weight_sq] : weights.sums) {
    GroupHealth h;
    h.group = group;
    for (const auto& [g, sq] : grad_sq_)
      if (g == group) h.grad_norm = std::sqrt(sq);
    h.weight_norm = std::sqrt(weight_sq);
    h.update_norm = std::sqrt(updates.get(group));
    h.update_ratio = h.weight_norm > 0 ? h.update_norm / h.weight_norm : 0;
    out.push_back(h);
  }
  before_.clear();
  grad_sq_.clear();
  return out;
}

LogRow health_row(int64_t step, const std::vector<GroupHealth>& groups) {
  LogRow row{"health", step, {}, {}};
  for (const auto& g : groups) {
    row.numbers.emplace_back(g.group + "/grad_norm", g.grad_norm);
    row.numbers.emplace_back(g.group + "/weight_norm", g.weight_norm);
    row.numbers.emplace_back(g.group + "/update_ratio", g.update_ratio);
  }
  return row;
}

}  // namespace gpt2
