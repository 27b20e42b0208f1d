// The vectorized row functions (row_math.h) of every kernel this CPU runs against float64
// references, at lengths that leave partial vectors; their special values (ties, NaN, -inf,
// masked entries); and their tensor forms (row_functions.h): close to ATen (the GELU with
// its gradient under autograd), and each row the same bits alone, in a batch, or split over
// threads.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/row_functions.h"
#include "kernels/row_math.h"
#include "supported_kernels.h"

using namespace gpt2;
using gpt2::test::supported_kernels;

namespace {

const std::vector<int64_t> kLengths = {1, 3, 8, 15, 16, 17, 33, 144, 768, 1001};

std::vector<float> random_row(int64_t n, double scale) {
  auto t = (at::randn({n}, at::kDouble) * scale).to(at::kFloat);
  return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + n);
}

// 0.5 x (1 + tanh(u)) = x / (1 + e^-2u); the second keeps its digits where tanh(u) -> -1.
double gelu_reference(double x) {
  const double u = std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x);
  return x / (1.0 + std::exp(-2.0 * u));
}

// d/dx x s(2u), s the logistic function: s + x s (1 - s) 2 du/dx.
double gelu_gradient_reference(double x) {
  const double c = std::sqrt(2.0 / M_PI);
  const double s = 1.0 / (1.0 + std::exp(-2.0 * c * (x + 0.044715 * x * x * x)));
  return s + x * s * (1 - s) * 2 * c * (1 + 3 * 0.044715 * x * x);
}

}  // namespace

TEST_CASE("row gelu gradient equals the float64 derivative") {
  for (RowKernel kernel : supported_kernels()) {
    const RowMath& math = row_math(kernel);
    std::vector<float> x, dy;
    for (double v = -12.0; v <= 12.0; v += 0.0137) x.push_back(float(v));  // partial last vector
    for (float v : {0.0f, -0.0f, 1e-20f, 1e-3f, 40.0f, -40.0f, 100.0f, -100.0f}) x.push_back(v);
    for (size_t i = 0; i < x.size(); ++i) dy.push_back(float(1.0 + 0.5 * std::sin(double(i))));
    std::vector<float> dx(x.size());
    math.gelu_tanh_backward(x.data(), dy.data(), dx.data(), int64_t(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      CAPTURE(row_kernel_name(kernel), x[i]);
      const double ref = double(dy[i]) * gelu_gradient_reference(double(x[i]));
      // The slope is s plus a term of size |x| s (1 - s) 2 du/dx; e^-2u carries u's rounding
      // error times |2u| into both, as in the forward test.
      const double two_u = 2 * std::sqrt(2 / M_PI) * std::abs(x[i] + 0.044715 * std::pow(x[i], 3));
      const double term = std::abs(x[i]) * 2 * std::sqrt(2 / M_PI) * (1 + 0.134145 * x[i] * x[i]);
      REQUIRE(std::abs(dx[i] - ref) <= 1.2e-7 * (6 + two_u) * (1 + term) * std::abs(dy[i]) + 1e-30);
    }
    math.gelu_tanh_backward(x.data(), dy.data(), dy.data(), int64_t(x.size()));  // in place
    CHECK(dy == dx);
  }
}

TEST_CASE("row gelu equals GPT-2's tanh GELU in float64") {
  const float inf = std::numeric_limits<float>::infinity();
  for (RowKernel kernel : supported_kernels()) {
    const RowMath& math = row_math(kernel);
    std::vector<float> x;
    for (double v = -12.0; v <= 12.0; v += 0.0137) x.push_back(float(v));  // partial last vector
    for (float v : {0.0f, -0.0f, 1e-20f, -1e-20f, 1e-3f, 40.0f, -40.0f, 100.0f, -100.0f, 3e38f})
      x.push_back(v);
    std::vector<float> y(x.size());
    math.gelu_tanh(x.data(), y.data(), int64_t(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      CAPTURE(row_kernel_name(kernel), x[i]);
      const double ref = gelu_reference(double(x[i]));
      // A few ulp from the float cubic, e^-2u and the division; u's rounding error is
      // amplified |2u| times by e^-2u (GELU is then below 1e-6 |x|).
      const double two_u = 2 * std::sqrt(2 / M_PI) * std::abs(x[i] + 0.044715 * std::pow(x[i], 3));
      REQUIRE(std::abs(y[i] - ref) <= 1.2e-7 * (4 + two_u) * std::abs(ref) + 1e-30);
    }
    float special[2] = {inf, std::nanf("")};
    math.gelu_tanh(special, special, 2);  // in place
    CHECK(special[0] == inf);
    CHECK(std::isnan(special[1]));
  }
}

TEST_CASE("row layer norm equals a float64 layer norm") {
  at::manual_seed(3);
  for (RowKernel kernel : supported_kernels())
    for (int64_t n : kLengths) {
      CAPTURE(row_kernel_name(kernel), n);
      auto x = random_row(n, 3.0);
      for (auto& v : x) v += 5.0f;  // an offset: the variance is taken around the mean
      auto w = random_row(n, 1.0), b = random_row(n, 1.0);
      std::vector<float> y(size_t(n), 0.0f);
      row_math(kernel).layer_norm(x.data(), y.data(), n, w.data(), b.data(), 1e-5f);
      double mean = 0, var = 0;
      for (float v : x) mean += v;
      mean /= double(n);
      for (float v : x) var += (v - mean) * (v - mean);
      var /= double(n);
      for (int64_t i = 0; i < n; ++i) {
        const double normed = (x[size_t(i)] - mean) / std::sqrt(var + 1e-5);
        const double ref = normed * w[size_t(i)] + b[size_t(i)];
        REQUIRE(std::abs(y[size_t(i)] - ref) <= 4e-6 * (std::abs(normed * w[size_t(i)]) + 1.0));
      }
    }
}

TEST_CASE("row softmax equals softmax(x * scale + bias) in float64; masked keys give 0") {
  at::manual_seed(4);
  const float lowest = std::numeric_limits<float>::lowest();
  for (RowKernel kernel : supported_kernels())
    for (int64_t n : kLengths)
      for (bool with_bias : {false, true}) {
        CAPTURE(row_kernel_name(kernel), n, with_bias);
        auto x = random_row(n, 4.0), bias = random_row(n, 1.0);
        if (with_bias && n > 2) bias[1] = bias[size_t(n) - 1] = lowest;  // masked, as padding
        std::vector<float> row = x;
        const float scale = 0.125f;
        row_math(kernel).softmax(row.data(), n, scale, with_bias ? bias.data() : nullptr);
        std::vector<double> z(static_cast<size_t>(n));
        double m = -INFINITY, sum = 0;
        for (int64_t i = 0; i < n; ++i) {
          z[size_t(i)] = double(float(x[size_t(i)] * scale)) + (with_bias ? bias[size_t(i)] : 0.0);
          m = std::max(m, z[size_t(i)]);
        }
        for (double v : z) sum += std::exp(v - m);
        for (int64_t i = 0; i < n; ++i) {
          const double ref = std::exp(z[size_t(i)] - m) / sum;
          REQUIRE(std::abs(row[size_t(i)] - ref) <= 1e-6 * ref + 1e-30);
        }
        if (with_bias && n > 2) {
          CHECK(row[1] == 0.0f);
          CHECK(row[size_t(n) - 1] == 0.0f);
        }
      }
}

TEST_CASE("row log-sum-exp equals float64; -inf entries count as 0") {
  at::manual_seed(5);
  const float inf = std::numeric_limits<float>::infinity();
  for (RowKernel kernel : supported_kernels()) {
    const RowMath& math = row_math(kernel);
    for (int64_t n : kLengths) {
      CAPTURE(row_kernel_name(kernel), n);
      auto x = random_row(n, 10.0);
      if (n > 3) x[2] = -inf;  // a token a processor removed
      double m = -INFINITY, sum = 0;
      for (float v : x) m = std::max(m, double(v));
      for (float v : x) sum += std::exp(double(v) - m);
      const double ref = m + std::log(sum);
      REQUIRE(math.log_sum_exp(x.data(), n) == Approx(ref).epsilon(1e-6).margin(1e-6));
    }
    // Hand-computed: log(e^0 + e^0 + e^0 + e^0) = log 4; one finite entry among -inf: itself.
    float four[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    CHECK(math.log_sum_exp(four, 4) == Approx(std::log(4.0)).epsilon(1e-7));
    float one_left[5] = {-inf, -inf, 2.5f, -inf, -inf};
    CHECK(math.log_sum_exp(one_left, 5) == 2.5f);
    float all_masked[3] = {-inf, -inf, -inf};
    CHECK(std::isnan(math.log_sum_exp(all_masked, 3)));
    float with_nan[20] = {};
    with_nan[17] = std::nanf("");
    CHECK(std::isnan(math.log_sum_exp(with_nan, 20)));
  }
}

TEST_CASE("row argmax is the first index of the maximum, or of the first NaN") {
  at::manual_seed(6);
  const float inf = std::numeric_limits<float>::infinity();
  for (RowKernel kernel : supported_kernels()) {
    const RowMath& math = row_math(kernel);
    CAPTURE(row_kernel_name(kernel));
    for (int64_t n : kLengths)
      for (int trial = 0; trial < 20; ++trial) {
        CAPTURE(n, trial);
        auto x = random_row(n, 1.0);
        const int64_t where = trial * 7919 % n, tie = (where + n / 2) % n;
        x[size_t(where)] = 9.0f;
        x[size_t(tie)] = 9.0f;  // a tie: the first of the two wins
        REQUIRE(math.argmax(x.data(), n) == std::min(where, tie));
      }
    std::vector<float> row(40, -inf);
    CHECK(math.argmax(row.data(), 40) == 0);  // all -inf: index 0, as torch.argmax
    row[37] = -1.0f;                          // the maximum in the scalar tail
    CHECK(math.argmax(row.data(), 40) == 37);
    row[20] = std::nanf("");
    row[35] = std::nanf("");
    row[3] = inf;
    CHECK(math.argmax(row.data(), 40) == 20);  // NaN beats everything, the first NaN wins
    row[20] = 0.0f;
    row[35] = 0.0f;
    CHECK(math.argmax(row.data(), 40) == 3);
  }
}

TEST_CASE("row functions on tensors: close to ATen, under autograd too, batch-invariant") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("this CPU has no row kernel; the row functions are ATen's");
    return;
  }
  at::manual_seed(8);
  auto x = at::randn({3, 70, 768}) * 2 + 1;  // (3, 70, 768): 210 rows, split over threads
  auto w = at::randn({768}), b = at::randn({768});
  auto logits = at::randn({5, 50257}) * 3;  // (5, V)
  at::Tensor norm_all, gelu_all;
  {
    at::NoGradGuard no_grad;
    norm_all = layer_norm_rows(x, w, b, 1e-5);
    gelu_all = gelu_tanh_rows(x);
    CHECK(at::allclose(norm_all, at::layer_norm(x, {768}, w, b, 1e-5), 1e-5, 2e-5));
    CHECK(at::allclose(gelu_all, at::gelu(x, "tanh"), 1e-5, 1e-6));
    CHECK(at::allclose(log_sum_exp_rows(logits), at::logsumexp(logits, {-1}), 1e-6, 1e-5));
    CHECK(at::equal(argmax_rows(logits), logits.argmax(-1)));

    // One row alone, and the whole batch on one thread, give the same bits as in the batch.
    auto row = x[1].narrow(0, 33, 1);  // (1, 768)
    CHECK(at::equal(layer_norm_rows(row, w, b, 1e-5), norm_all[1].narrow(0, 33, 1)));
    CHECK(at::equal(gelu_tanh_rows(row), gelu_all[1].narrow(0, 33, 1)));
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    CHECK(at::equal(layer_norm_rows(x, w, b, 1e-5), norm_all));
    CHECK(at::equal(gelu_tanh_rows(x), gelu_all));
    at::set_num_threads(threads);
  }
  // Under autograd (training) layer norm is ATen's, gradients included; the GELU is the row
  // function with its own gradient, close to ATen's.
  auto xg = x.clone().requires_grad_(true);
  auto wg = w.clone().requires_grad_(true);
  auto y = layer_norm_rows(xg, wg, b, 1e-5);
  CHECK(y.requires_grad());
  CHECK(at::equal(y, at::layer_norm(xg, {768}, wg, b, 1e-5)));
  auto g = gelu_tanh_rows(xg);
  REQUIRE(g.requires_grad());
  CHECK(at::equal(g.detach(), gelu_all));
  auto dy = at::randn_like(x);
  auto dx = torch::autograd::grad({g}, {xg}, {dy})[0];
  // Against the float64 derivative, not ATen's gradient: that loses up to 1e-6 |dy| where
  // tanh u rounds to -1 (it gives 0 at x = -5.06, where the slope is -1.04e-6).
  auto xd = x.to(at::kDouble);
  const double c = std::sqrt(2.0 / M_PI);
  auto u = c * (xd + 0.044715 * xd.pow(3));
  auto sig = at::sigmoid(2 * u), one_minus = at::sigmoid(-2 * u);
  auto dx_ref =
      dy.to(at::kDouble) * (sig + xd * sig * one_minus * 2 * c * (1 + 0.134145 * xd * xd));
  CHECK(at::allclose(dx.to(at::kDouble), dx_ref, 1e-5, 1e-7));
}
