// matmul_rows equals the plain product for every path it takes (one row, rows split over
// columns across threads, many rows), both weight layouts, with and without bias, under
// no-grad and inference mode; and it splits only where that applies.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>

#include <catch2/catch.hpp>
#include <optional>

#include "kernels/matmul_rows.h"

using namespace gpt2;

namespace {
struct ThreadCount {
  int saved = at::get_num_threads();
  explicit ThreadCount(int n) { at::set_num_threads(n); }
  ~ThreadCount() { at::set_num_threads(saved); }
};
}  // namespace

TEST_CASE("matmul_rows equals addmm and linear on every path") {
  ThreadCount threads(GENERATE(1, 2, 3));
  // Parameters require grad; worker threads must see the caller's no-grad / inference mode.
  const bool inference_mode = GENERATE(false, true);
  std::optional<c10::InferenceMode> inference;
  std::optional<at::NoGradGuard> no_grad;
  if (inference_mode)
    inference.emplace();
  else
    no_grad.emplace();
  at::manual_seed(3);
  const int64_t M = GENERATE(1, 5, 64, 100), K = 40, N = 1001;  // N: not a multiple of 16
  CAPTURE(at::get_num_threads(), inference_mode, M);
  auto rows = at::randn({M, K}, at::kDouble);                                    // (M, K)
  auto weight = at::randn({K, N}, at::kDouble).requires_grad_(!inference_mode);  // (K, N)
  auto bias = at::randn({N}, at::kDouble);                                       // (N)
  auto embedding = at::randn({N, K}, at::kDouble);                               // (N, K)
  CHECK(splits_columns(rows, weight) == (M > 1 && M <= 64 && at::get_num_threads() > 1));
  CHECK(at::allclose(matmul_rows(rows, weight, WeightLayout::in_out, bias),
                     at::addmm(bias, rows, weight), 1e-12, 1e-12));
  CHECK(at::allclose(matmul_rows(rows, embedding, WeightLayout::out_in, {}),
                     at::linear(rows, embedding), 1e-12, 1e-12));
}

TEST_CASE("matmul_rows keeps autograd working and does not split when it records a graph") {
  ThreadCount threads(2);
  auto rows = at::randn({4, 8}, at::kDouble);
  auto weight = at::randn({8, 32}, at::kDouble).requires_grad_();  // (K, N)
  CHECK_FALSE(splits_columns(rows, weight));
  matmul_rows(rows, weight, WeightLayout::in_out, {}).sum().backward();
  // d(sum(rows @ W))/dW[k][n] = sum over rows of rows[m][k].
  CHECK(at::allclose(weight.grad(), rows.sum(0).unsqueeze(1).expand({8, 32})));
  at::NoGradGuard no_grad;
  CHECK_FALSE(splits_columns(at::randn({2, 8}).to(at::kLong), weight.to(at::kLong)));
}
