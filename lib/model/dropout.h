#pragma once
// The model's dropout. It draws from ATen's default generator, unless the calling thread has
// set one of its own (DropoutGeneratorScope): threads that each run the model on a slice of a
// batch (train/thread_split.h) then draw the same masks whatever order they run in.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace gpt2 {

// Inverted dropout: zeroes elements with probability p and scales the rest by 1 / (1 - p).
at::Tensor model_dropout(const at::Tensor& x, double p);

// For its lifetime, model_dropout on this thread draws from `generator`.
class DropoutGeneratorScope {
 public:
  explicit DropoutGeneratorScope(at::Generator generator);
  ~DropoutGeneratorScope();
  DropoutGeneratorScope(const DropoutGeneratorScope&) = delete;
  DropoutGeneratorScope& operator=(const DropoutGeneratorScope&) = delete;

 private:
  at::Generator generator_;
  at::Generator* previous_;
};

}  // namespace gpt2
