// The row-product kernels and row functions (row_math.h) for AVX2 + FMA (16 vector registers of 8
// floats). Compiled with -mavx2 -mfma -mf16c; called only when the CPU reports all three
// (row_products.cpp).
#include <immintrin.h>

#include <cstdint>

#include "kernels/row_math_exp.h"

namespace gpt2 {
namespace {

struct Isa {
  using V = __m256;
  static constexpr int W = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  // 8 bf16 (the top halves of floats) / 8 f16 widened to floats.
  static V load_bf16(const uint16_t* p) {
    const __m256i wide =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
  static V load_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static float f16_to_float(uint16_t h) { return _cvtsh_ss(h); }
  static V load_i8(const int8_t* p) {  // 8 bytes
    return _mm256_cvtepi32_ps(
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
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
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static float hmax(V v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // 4 lanes
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));                                         // 2 lanes
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
  }
  static uint32_t equal_bits(V a, V b) {
    return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)));
  }
  static V exp(V x) {
    const V subnormal = _mm256_cmp_ps(x, set1(kExpMin), _CMP_LT_OQ);    // NaN not
    x = _mm256_max_ps(set1(kExpMin), _mm256_min_ps(set1(kExpMax), x));  // NaN kept
    const V n =
        _mm256_round_ps(mul(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const V p = exp_reduced<Isa>(x, n);
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    const V two_to_n = _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
    return _mm256_andnot_ps(subnormal, mul(p, two_to_n));
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

#include "kernels/row_math_kernel.h"
#include "kernels/row_products_kernel.h"

namespace gpt2::detail {

void row_products_avx2(const RowProduct& p, int64_t n_begin, int64_t n_end) {
  row_products_for_isa(p, n_begin, n_end);
}

const RowMath& row_math_avx2() {
  return kRowMath;
}

}  // namespace gpt2::detail
