#include "train/thread_split.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>

#include "model/dropout.h"

namespace gpt2 {

int64_t split_slices(int64_t rows, int threads, double parameter_bytes, double memory_bytes) {
  const int64_t slices = std::max<int64_t>(1, std::min<int64_t>(rows, threads));
  if (memory_bytes > 0 && double(slices - 1) * parameter_bytes > memory_bytes / 8) return 1;
  return slices;
}

int optimizer_threads(const std::vector<at::Tensor>& params, int threads) {
  int64_t largest = 0;
  for (const auto& p : params) largest = std::max<int64_t>(largest, p.numel());
  return largest < (int64_t(1) << 20) ? 1 : threads;
}

namespace {

// The unsplit path: one forward, one backward accumulating into .grad.
double whole_forward_backward(const SplitBackward& split, const at::Tensor& inputs,
                              const at::Tensor& targets, double weight) {
  at::Tensor loss = split.reported(split.loss_of(inputs, targets) * weight);  // ()
  split.differentiated(loss).backward();
  return loss.item<double>();
}

}  // namespace

double split_forward_backward(const SplitBackward& split, const at::Tensor& inputs,
                              const at::Tensor& targets, const std::vector<at::Tensor>& params,
                              double weight, int64_t slices, int64_t ignore_index,
                              uint64_t dropout_seed) {
  slices = std::min<int64_t>(slices, inputs.size(0));
  const int64_t scored = targets.ne(ignore_index).sum().item<int64_t>();
  if (slices <= 1 || scored == 0) return whole_forward_backward(split, inputs, targets, weight);

  const auto input_slices = inputs.chunk(slices, 0);    // slices x (b, T)
  const auto target_slices = targets.chunk(slices, 0);  // slices x (b, T)
  slices = int64_t(input_slices.size());
  std::vector<std::vector<at::Tensor>> grads(slices);
  std::vector<double> reported(slices, 0.0);
  // One slice per thread; inside, ATen, OpenBLAS and the row kernels see a parallel region and
  // run single-threaded.
  at::parallel_for(0, slices, 1, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      const int64_t slice_scored = target_slices[i].ne(ignore_index).sum().item<int64_t>();
      if (slice_scored == 0) continue;  // its mean loss is 0/0; it adds nothing
      const double share = weight * double(slice_scored) / double(scored);
      DropoutGeneratorScope dropout(at::make_generator<at::CPUGeneratorImpl>(
          dropout_seed ^ (0x9E3779B97F4A7C15ull * uint64_t(i + 1))));
      at::Tensor loss = split.reported(split.loss_of(input_slices[i], target_slices[i]) * share);
      reported[i] = loss.item<double>();
      // The first slice accumulates into .grad as an unsplit backward would; the others keep
      // their gradients apart (one copy of the weights' size each) until all are done.
      if (i == 0)
        split.differentiated(loss).backward();
      else
        grads[i] = torch::autograd::grad({split.differentiated(loss)}, params, {},
                                         /*retain_graph=*/false, /*create_graph=*/false,
                                         /*allow_unused=*/true);
    }
  });

  at::NoGradGuard no_grad;
  for (size_t p = 0; p < params.size(); ++p) {
    at::Tensor sum;
    for (int64_t i = 1; i < slices; ++i) {
      if (grads[i].empty() || !grads[i][p].defined()) continue;
      sum = sum.defined() ? sum.add_(grads[i][p]) : grads[i][p];
    }
    if (!sum.defined()) continue;
    at::Tensor param = params[p];
    if (param.grad().defined())
      param.mutable_grad().add_(sum);
    else
      param.mutable_grad() = sum;
  }
  double total = 0;
  for (double r : reported) total += r;
  return total;
}

}  // namespace gpt2
