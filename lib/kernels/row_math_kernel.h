#pragma once
// The row functions of row_math.h, written once over an instruction set's vector type.
// Included by row_products_<isa>.cpp after it defines `Isa`; besides the operations that
// row_products_kernel.h uses, these need: sub, mul, div; max(a, b) (b where either is NaN, so
// max(x, acc) drops a NaN x); hmax; exp (e^x, flushed to 0 below the smallest normal float);
// equal_bits(a, b) (bit i set where lane i of a == b, NaN equal to nothing).
// Elements past the last whole vector go through the same vector code from a padded buffer,
// so every element's value depends on itself alone, not on where it sits.
#include <cmath>
#include <cstdint>

#include "kernels/row_math.h"

namespace gpt2 {
namespace {

// The last n - i < W elements of x from i on, in a vector padded with `pad` (via buffer).
typename Isa::V load_tail(const float* x, int64_t i, int64_t n, float pad, float* buffer) {
  for (int j = 0; j < Isa::W; ++j) buffer[j] = i + j < n ? x[i + j] : pad;
  return Isa::load(buffer);
}

// f(V) -> V applied to x[0, n) into y[0, n).
template <typename F>
void map_vectors(const float* x, float* y, int64_t n, float pad, const F& f) {
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) Isa::store(y + i, f(Isa::load(x + i)));
  if (i == n) return;
  alignas(64) float buffer[Isa::W];
  Isa::store(buffer, f(load_tail(x, i, n, pad, buffer)));
  for (int j = 0; i + j < n; ++j) y[i + j] = buffer[j];
}

void gelu_tanh_row(const float* x, float* y, int64_t n) {
  using V = Isa::V;
  const V minus_2c = Isa::set1(float(-2.0 * 0.79788456080286535588));  // -2 sqrt(2 / pi)
  const V cubic = Isa::set1(0.044715f);
  const V one = Isa::set1(1.0f);
  map_vectors(x, y, n, 0.0f, [&](V v) {
    const V minus_2u = Isa::mul(Isa::mul(minus_2c, v), Isa::fma(Isa::mul(cubic, v), v, one));
    return Isa::div(v, Isa::add(one, Isa::exp(minus_2u)));  // x / (1 + e^(-2u))
  });
}

void gelu_tanh_backward_row(const float* x, const float* dy, float* dx, int64_t n) {
  using V = Isa::V;
  const float c = float(0.79788456080286535588);  // sqrt(2 / pi)
  const V minus_2c = Isa::set1(-2 * c), two_c = Isa::set1(2 * c);
  const V cubic = Isa::set1(0.044715f), cubic3 = Isa::set1(3 * 0.044715f);
  const V one = Isa::set1(1.0f);
  const auto grad = [&](V v, V g) {
    const V v2 = Isa::mul(v, v);
    const V minus_2u = Isa::mul(Isa::mul(minus_2c, v), Isa::fma(cubic, v2, one));
    // s = 1 / (1 + e^-2u) = (1 + tanh u) / 2, and 1 - s from its own exponential, which keeps
    // its digits where s rounds to 1 (the slope is then 1 + a few 1e-6).
    const V s = Isa::div(one, Isa::add(one, Isa::exp(minus_2u)));
    const V one_minus_s = Isa::div(one, Isa::add(one, Isa::exp(Isa::sub(Isa::zero(), minus_2u))));
    const V du = Isa::mul(two_c, Isa::fma(cubic3, v2, one));  // 2 du/dx
    const V slope = Isa::fma(Isa::mul(Isa::mul(v, s), one_minus_s), du, s);
    return Isa::mul(g, slope);
  };
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W)
    Isa::store(dx + i, grad(Isa::load(x + i), Isa::load(dy + i)));
  if (i == n) return;
  alignas(64) float xs[Isa::W], gs[Isa::W];
  Isa::store(xs, grad(load_tail(x, i, n, 0.0f, xs), load_tail(dy, i, n, 0.0f, gs)));
  for (int j = 0; i + j < n; ++j) dx[i + j] = xs[j];
}

// Lane-wise sum of f(x[i]) over the row; padding lanes get f(pad), which must add nothing.
template <typename F>
float sum_vectors(const float* x, int64_t n, float pad, const F& f) {
  typename Isa::V acc = Isa::zero();
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) acc = Isa::add(acc, f(Isa::load(x + i)));
  if (i < n) {
    alignas(64) float buffer[Isa::W];
    acc = Isa::add(acc, f(load_tail(x, i, n, pad, buffer)));
  }
  return Isa::hsum(acc);
}

void layer_norm_row(const float* x, float* y, int64_t n, const float* weight, const float* bias,
                    float eps) {
  using V = Isa::V;
  const float mean = sum_vectors(x, n, 0.0f, [](V v) { return v; }) / float(n);
  const V mean_v = Isa::set1(mean);
  const auto squared_deviation = [&](V v) {
    const V d = Isa::sub(v, mean_v);
    return Isa::mul(d, d);
  };
  const float var = sum_vectors(x, n, mean, squared_deviation) / float(n);
  const float rstd = 1.0f / std::sqrt(var + eps);
  const V rstd_v = Isa::set1(rstd);
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) {
    const V normed = Isa::mul(Isa::sub(Isa::load(x + i), mean_v), rstd_v);
    Isa::store(y + i, Isa::fma(normed, Isa::load(weight + i), Isa::load(bias + i)));
  }
  for (; i < n; ++i) y[i] = __builtin_fmaf((x[i] - mean) * rstd, weight[i], bias[i]);
}

float max_of_row(const float* x, int64_t n) {  // NaN dropped
  typename Isa::V acc = Isa::set1(-INFINITY);
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) acc = Isa::max(Isa::load(x + i), acc);
  float m = Isa::hmax(acc);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

void softmax_row(float* row, int64_t n, float scale, const float* bias) {
  using V = Isa::V;
  const V scale_v = Isa::set1(scale);
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) {
    const V v = Isa::mul(Isa::load(row + i), scale_v);
    Isa::store(row + i, bias ? Isa::add(v, Isa::load(bias + i)) : v);
  }
  for (; i < n; ++i) row[i] = bias ? row[i] * scale + bias[i] : row[i] * scale;
  const V max_v = Isa::set1(max_of_row(row, n));
  map_vectors(row, row, n, -INFINITY, [&](V v) { return Isa::exp(Isa::sub(v, max_v)); });
  const V inverse = Isa::set1(1.0f / sum_vectors(row, n, 0.0f, [](V v) { return v; }));
  map_vectors(row, row, n, 0.0f, [&](V v) { return Isa::mul(v, inverse); });
}

float log_sum_exp_row(const float* row, int64_t n) {
  using V = Isa::V;
  const float m = max_of_row(row, n);
  const V max_v = Isa::set1(m);
  // A NaN gives a NaN sum; an all -inf row gives -inf - -inf = NaN.
  const float sum =
      sum_vectors(row, n, -INFINITY, [&](V v) { return Isa::exp(Isa::sub(v, max_v)); });
  return m + std::log(sum);
}

int64_t argmax_row(const float* row, int64_t n) {
  using V = Isa::V;
  constexpr uint32_t all_lanes = (1u << Isa::W) - 1;  // W <= 16
  // One pass for the maximum and whether there is a NaN, one for the maximum's first index.
  V acc = Isa::set1(-INFINITY);
  uint32_t not_nan = all_lanes;
  int64_t i = 0;
  for (; i + Isa::W <= n; i += Isa::W) {
    const V v = Isa::load(row + i);
    acc = Isa::max(v, acc);
    not_nan &= Isa::equal_bits(v, v);
  }
  float m = Isa::hmax(acc);
  bool has_nan = not_nan != all_lanes;
  for (int64_t j = i; j < n; ++j) {
    has_nan = has_nan || std::isnan(row[j]);
    m = row[j] > m ? row[j] : m;
  }
  if (has_nan) {
    for (int64_t j = 0; j < n; ++j)
      if (std::isnan(row[j])) return j;
  }
  const V max_v = Isa::set1(m);
  for (i = 0; i + Isa::W <= n; i += Isa::W)
    if (const uint32_t bits = Isa::equal_bits(Isa::load(row + i), max_v))
      return i + __builtin_ctz(bits);
  for (; i < n; ++i)
    if (row[i] == m) return i;
  return 0;  // unreachable: m is one of the row's values
}

const RowMath kRowMath = {gelu_tanh_row, gelu_tanh_backward_row, layer_norm_row,
                          softmax_row,   log_sum_exp_row,        argmax_row};

}  // namespace
}  // namespace gpt2
