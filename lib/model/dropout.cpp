#include "model/dropout.h"

#include <ATen/ATen.h>

namespace gpt2 {

namespace {
thread_local at::Generator* thread_generator = nullptr;
}

at::Tensor model_dropout(const at::Tensor& x, double p) {
  if (!thread_generator) return at::dropout(x, p, /*train=*/true);
  auto keep = at::empty_like(x).bernoulli_(1 - p, *thread_generator);  // 1 = kept
  return x * keep.div_(1 - p);
}

DropoutGeneratorScope::DropoutGeneratorScope(at::Generator generator)
    : generator_(std::move(generator)), previous_(thread_generator) {
  thread_generator = &generator_;
}

DropoutGeneratorScope::~DropoutGeneratorScope() {
  thread_generator = previous_;
}

}  // namespace gpt2
