// The row-product kernels for AVX2 + FMA (16 vector registers of 8 floats). Compiled with
// -mavx2 -mfma; called only when the CPU reports both (row_products.cpp).
#include <immintrin.h>

#include <cstdint>

namespace gpt2 {
namespace {

struct Isa {
  using V = __m256;
  static constexpr int W = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V zero() { return _mm256_setzero_ps(); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static float hsum(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // 4 lanes
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                         // 2 lanes
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
  // Column vectors per strip (in_out) and weight rows per pass (out_in) for 1-8 activation rows,
  // chosen so that row values, accumulators and weight vectors fit the 16 registers.
  static constexpr int in_out_nv(int rows) {
    constexpr int nv[9] = {0, 12, 4, 3, 2, 2, 2, 1, 1};
    return nv[rows];
  }
  static constexpr int out_in_nr(int rows) {
    constexpr int nr[9] = {0, 6, 4, 3, 2, 2, 1, 1, 1};
    return nr[rows];
  }
};

}  // namespace
}  // namespace gpt2

#include "model/row_products_kernel.h"

namespace gpt2::detail {

void row_products_avx2(const RowProduct& p, int64_t n_begin, int64_t n_end) {
  row_products_for_isa(p, n_begin, n_end);
}

}  // namespace gpt2::detail
