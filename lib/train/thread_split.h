#pragma once
// One micro-batch's forward and backward with its rows shared out over the CPU threads: each
// thread runs the whole model on its own slice of the batch with single-threaded ops, and the
// slices' gradients are added in a fixed order. For the small matrices of small models this
// beats splitting every op over the threads (one parallel region per op, each waking the other
// threads), and it is deterministic for a given thread count.
//
// The slices' losses are weighted by their share of the scored targets, so the gradient is the
// whole batch's mean-loss gradient (up to float rounding). Each slice's dropout draws from a
// generator of its own, seeded from the step's seed and the slice's index.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace gpt2 {

struct SplitBackward {
  // (inputs, targets) of a slice -> its mean loss over scored targets, with the graph.
  std::function<at::Tensor(const at::Tensor&, const at::Tensor&)> loss_of;
  // A slice's weighted loss -> the tensor whose value is reported (test hooks poison it here).
  std::function<at::Tensor(const at::Tensor&)> reported;
  // The reported loss -> the tensor differentiated (the fp16 loss scaler's).
  std::function<at::Tensor(const at::Tensor&)> differentiated;
};

// How many slices a batch of `rows` sequences gets with `threads` threads: one per thread,
// at most one per row, and 1 (unsplit) when the slices' gradients, each beyond the first a
// copy of the `parameter_bytes` weights, would take more than an eighth of `memory_bytes`.
int64_t split_slices(int64_t rows, int threads, double parameter_bytes = 0,
                     double memory_bytes = 0);

// Threads for the optimizer step (and the gradient norm and clipping before it): one when
// every tensor is small (under 2^20 elements), where each op's parallel region costs more
// than its work (shakespeare_char's AdamW step: 9.2 ms on 2 threads, 1.8 ms on one), else
// `threads`.
int optimizer_threads(const std::vector<at::Tensor>& params, int threads);

// Forward and backward of (inputs, targets) (B, T) in `slices` slices of rows, each loss
// multiplied by `weight` (e.g. 1 / accumulation steps) and by its share of the scored targets;
// the gradients are added into each parameter's .grad. Returns the sum of the slices' reported
// losses: the batch's mean loss times `weight`. A batch with no scored target runs unsplit.
// Slice i's dropout draws from a generator seeded with a mix of dropout_seed and i.
double split_forward_backward(const SplitBackward& split, const at::Tensor& inputs,
                              const at::Tensor& targets, const std::vector<at::Tensor>& params,
                              double weight, int64_t slices, int64_t ignore_index,
                              uint64_t dropout_seed);

}  // namespace gpt2
