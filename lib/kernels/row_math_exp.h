#pragma once
// e^x for the row functions' vector code (row_math_kernel.h): e^x = 2^n e^r with
// n = round(x log2 e) and r = x - n ln 2, |r| <= ln 2 / 2, ln 2 taken in two parts so that r
// is exact, and e^r from Cephes' degree-6 polynomial (relative error below 2 ulp). Each
// instruction set's Isa::exp clamps x to [kExpMin, kExpMax], applies 2^n and flushes results
// below the smallest normal float to 0. (Callers only need the range well inside
// these bounds: softmax and log-sum-exp take e^x at x <= 0.)
namespace gpt2 {
namespace {

constexpr float kExpMin = -87.3365478515625f;  // log of the smallest normal float, rounded up
constexpr float kExpMax = 88.0f;  // e^x saturates at e^88 (2^n stays a normal float: n <= 127)
constexpr float kLog2e = 1.44269504088896341f;

// e^r for r = x - n ln 2, by the operations of instruction set I.
template <typename I>
typename I::V exp_reduced(typename I::V x, typename I::V n) {
  using V = typename I::V;
  const V minus_n = I::sub(I::zero(), n);
  V r = I::fma(minus_n, I::set1(0.693359375f), x);  // the high part of ln 2, exact in n * it
  r = I::fma(minus_n, I::set1(-2.12194440e-4f), r);
  V p = I::set1(1.9875691500e-4f);
  p = I::fma(p, r, I::set1(1.3981999507e-3f));
  p = I::fma(p, r, I::set1(8.3334519073e-3f));
  p = I::fma(p, r, I::set1(4.1665795894e-2f));
  p = I::fma(p, r, I::set1(1.6666665459e-1f));
  p = I::fma(p, r, I::set1(5.0000001201e-1f));
  return I::fma(I::mul(p, r), r, I::add(r, I::set1(1.0f)));  // p r^2 + r + 1
}

}  // namespace
}  // namespace gpt2
