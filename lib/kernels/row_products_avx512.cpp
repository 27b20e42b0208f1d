// The row-product kernels and row functions (row_math.h) for AVX-512F (32 vector registers of 16
// floats). Compiled with -mavx512f -mfma -mf16c; called only when the CPU reports AVX-512F and
// F16C (row_products.cpp).
#include <immintrin.h>

#include <cstdint>

#include "kernels/row_math_exp.h"

namespace gpt2 {
namespace {

struct Isa {
  using V = __m512;
  static constexpr int W = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  // 16 bf16 (the top halves of floats) / 16 f16 widened to floats, with AVX-512F alone.
  static V load_bf16(const uint16_t* p) {
    const __m512i wide =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
  }
  static V load_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static float f16_to_float(uint16_t h) { return _cvtsh_ss(h); }
  static V load_i8(const int8_t* p) {  // 16 bytes
    return _mm512_cvtepi32_ps(
        _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V zero() { return _mm512_setzero_ps(); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static float hsum(V v) { return _mm512_reduce_add_ps(v); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static float hmax(V v) { return _mm512_reduce_max_ps(v); }
  static uint32_t equal_bits(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static V exp(V x) {
    const __mmask16 normal = _mm512_cmp_ps_mask(x, set1(kExpMin), _CMP_NLT_UQ);  // NaN kept
    x = _mm512_max_ps(set1(kExpMin), _mm512_min_ps(set1(kExpMax), x));           // NaN kept
    const V n =
        _mm512_roundscale_ps(mul(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const V p = exp_reduced<Isa>(x, n);
    return _mm512_maskz_mov_ps(normal, _mm512_scalef_ps(p, n));  // p 2^n
  }
  // Column vectors per strip (in_out) and weight rows per pass (out_in) for 1-8 activation rows,
  // chosen so that row values, accumulators and weight vectors fit the 32 registers.
  static constexpr int in_out_nv(int rows) {
    constexpr int nv[9] = {0, 16, 10, 7, 6, 5, 4, 3, 3};
    return nv[rows];
  }
  static constexpr int out_in_nr(int rows) {
    constexpr int nr[9] = {0, 8, 8, 6, 5, 4, 4, 3, 3};
    return nr[rows];
  }
};

}  // namespace
}  // namespace gpt2

#include "kernels/row_math_kernel.h"
#include "kernels/row_products_kernel.h"

namespace gpt2::detail {

void row_products_avx512(const RowProduct& p, int64_t n_begin, int64_t n_end) {
  row_products_for_isa(p, n_begin, n_end);
}

const RowMath& row_math_avx512() {
  return kRowMath;
}

}  // namespace gpt2::detail
