#pragma once
// The row-product kernels, written once over an instruction set's vector type. Included only
// by row_products_<isa>.cpp, each compiled for its instruction set, after it defines `Isa`:
//   using V;  constexpr int W (floats per vector);  load, store, set1, zero, add, fma(a, b, c)
//   = a * b + c, hsum;  load_bf16, load_f16 (W 16-bit values widened), f16_to_float,
//   load_i8 (W int8 values as floats);
//   constexpr in_out_nv(rows), out_in_nr(rows): register blocking.
// Everything here has internal linkage, so the linker can never hand code compiled for one
// instruction set to a caller running on a CPU without it; no standard-library templates.
#include <cstdint>

#include "kernels/row_products.h"

namespace gpt2 {
namespace {

constexpr int kMaxRowsPerPass = 8;  // rows sharing one stream of the weight
constexpr int64_t kBlockK = 128;    // in_out: weight rows summed in registers before out is updated
// in_out, 1-3 rows: how many weight rows ahead to prefetch. Each row is a different stream (stride
// ldw) and the hardware alone falls behind once a few rows share each load (measured on GPT-2 124M
// at 8 rows, 2 threads: 15.2 ms -> 9.9 ms for the layers' products; 16 and 64 rows were slower).
constexpr int64_t kPrefetchRows = 32;
// The same from 4 rows on, where each weight row takes longer to use: measured over all of
// GPT-2 124M's layer products at 8 rows, 2 threads: 11.2-12.2 ms at 32 ahead, 10.7-11.8 at 64
// (with the next-strip prefetch), 11.4-13.2 at 128.
constexpr int64_t kPrefetchRowsManyRows = 64;

inline int64_t min_of(int64_t a, int64_t b) {
  return a < b ? a : b;
}

// How the kernels read a weight element type: a vector of W elements (`load`) or one (`one`),
// widened to float exactly. The sums are the same code for every type.
// `scaled`: the product is q W_q with one scale per output column n (int8), applied to each
// column's sums as they are added to out: out[n] += scale[n] * sum_k a[k] q[k][n].
struct F32Weight {
  using T = float;
  static constexpr bool scaled = false;
  static typename Isa::V load(const T* p) { return Isa::load(p); }
  static float one(const T* p) { return *p; }
};
struct Bf16Weight {
  using T = uint16_t;
  static constexpr bool scaled = false;
  static typename Isa::V load(const T* p) { return Isa::load_bf16(p); }
  static float one(const T* p) {
    const uint32_t bits = uint32_t(*p) << 16;
    float x;
    __builtin_memcpy(&x, &bits, sizeof x);
    return x;
  }
};
struct F16Weight {
  using T = uint16_t;
  static constexpr bool scaled = false;
  static typename Isa::V load(const T* p) { return Isa::load_f16(p); }
  static float one(const T* p) { return Isa::f16_to_float(*p); }
};
struct Int8Weight {
  using T = int8_t;
  static constexpr bool scaled = true;
  static typename Isa::V load(const T* p) { return Isa::load_i8(p); }
  static float one(const T* p) { return float(*p); }
};

// in_out, MR rows, one block of kc weight rows (w0 = weight + k0 * ldw): for each strip of
// NV whole vectors of columns in [n, n_end), out[m][strip] += sum over the block's k,
// ascending, of a[k][m] * w0[k][strip], the sums held in registers. `a` is the block of rows
// transposed, (kc, MR). Returns where it stopped (the start of the last partial strip).
template <typename L, int MR, int NV>
int64_t in_out_strips(const float* a, int64_t kc, const typename L::T* w0, int64_t ldw, float* out,
                      int64_t N, int64_t n, int64_t n_end, const float* scales) {
  using V = typename Isa::V;
  constexpr int64_t strip = NV * Isa::W;
  for (; n + strip <= n_end; n += strip) {
    V acc[MR][NV];
    for (int m = 0; m < MR; ++m)
      for (int v = 0; v < NV; ++v) acc[m][v] = Isa::zero();
    const typename L::T* w = w0 + n;
    // Prefetch `ahead` weight rows down this strip, and near the block's end the next strip's
    // first rows (otherwise each strip would start on misses). Past the last strip this points
    // beyond the columns, even the weight: harmless, a prefetch never faults.
    constexpr int64_t ahead = MR >= 4 ? kPrefetchRowsManyRows : kPrefetchRows;
    const int64_t switch_k = kc > ahead ? kc - ahead : 0;
    for (int64_t k = 0; k < kc; ++k, w += ldw) {
      V wv[NV];
      for (int v = 0; v < NV; ++v) wv[v] = L::load(w + v * Isa::W);
      const typename L::T* next =
          k < switch_k ? w + ahead * ldw : w0 + n + strip + (k - switch_k) * ldw;
      for (int v = 0; v < NV; ++v) __builtin_prefetch(next + v * Isa::W);
      for (int m = 0; m < MR; ++m) {
        const V am = Isa::set1(a[k * MR + m]);
        for (int v = 0; v < NV; ++v) acc[m][v] = Isa::fma(am, wv[v], acc[m][v]);
      }
    }
    for (int m = 0; m < MR; ++m)
      for (int v = 0; v < NV; ++v) {
        float* o = out + m * N + n + v * Isa::W;
        if constexpr (L::scaled)
          Isa::store(o, Isa::fma(acc[m][v], Isa::load(scales + n + v * Isa::W), Isa::load(o)));
        else
          Isa::store(o, Isa::add(Isa::load(o), acc[m][v]));
      }
  }
  return n;
}

template <typename L, int MR>
void in_out_rows(const RowProduct& p, const float* rows, float* out, int64_t n_begin,
                 int64_t n_end) {
  const int64_t K = p.K, N = p.N, ldw = p.weight_stride, lda = p.rows_stride;
  const float* bias = p.bias;
  for (int m = 0; m < MR; ++m)
    for (int64_t n = n_begin; n < n_end; ++n) out[m * N + n] = bias ? bias[n] : 0.0f;
  const int64_t n_vectors_end = n_begin + (n_end - n_begin) / Isa::W * Isa::W;
  alignas(64) float a[kBlockK * MR];
  for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
    const int64_t kc = min_of(kBlockK, K - k0);
    for (int64_t k = 0; k < kc; ++k)
      for (int m = 0; m < MR; ++m) a[k * MR + m] = rows[m * lda + k0 + k];
    const typename L::T* w0 = static_cast<const typename L::T*>(p.weight) + k0 * ldw;
    // Widest strips first; narrower ones for what is left (e.g. one head's 64 columns).
    constexpr int nv = Isa::in_out_nv(MR);
    const float* sc = p.weight_scales;
    int64_t n = in_out_strips<L, MR, nv>(a, kc, w0, ldw, out, N, n_begin, n_vectors_end, sc);
    if constexpr (nv > 4) n = in_out_strips<L, MR, 4>(a, kc, w0, ldw, out, N, n, n_vectors_end, sc);
    if constexpr (nv > 2) n = in_out_strips<L, MR, 2>(a, kc, w0, ldw, out, N, n, n_vectors_end, sc);
    in_out_strips<L, MR, 1>(a, kc, w0, ldw, out, N, n, n_vectors_end, sc);
    // Columns past the last whole vector: the same sums in the same order, one at a time.
    for (int m = 0; m < MR; ++m)
      for (n = n_vectors_end; n < n_end; ++n) {
        float sum = 0.0f;
        for (int64_t k = 0; k < kc; ++k)
          sum = __builtin_fmaf(a[k * MR + m], L::one(w0 + k * ldw + n), sum);
        if constexpr (L::scaled)
          out[m * N + n] = __builtin_fmaf(sum, sc[n], out[m * N + n]);
        else
          out[m * N + n] += sum;
      }
  }
}

// out_in, MR rows and NR weight rows at a time: each output is a dot product accumulated
// lane-wise over whole vectors of k, then summed across lanes, then the tail of k, then bias.
template <typename L, int MR, int NR>
int64_t out_in_pass(const RowProduct& p, const float* rows, float* out, int64_t n_begin,
                    int64_t n_end) {
  using V = typename Isa::V;
  const int64_t K = p.K, N = p.N, ldw = p.weight_stride, lda = p.rows_stride;
  const auto* weight = static_cast<const typename L::T*>(p.weight);
  const float* bias = p.bias;
  const int64_t k_vectors_end = K / Isa::W * Isa::W;
  int64_t n = n_begin;
  for (; n + NR <= n_end; n += NR) {
    V acc[MR][NR];
    for (int m = 0; m < MR; ++m)
      for (int r = 0; r < NR; ++r) acc[m][r] = Isa::zero();
    for (int64_t k = 0; k < k_vectors_end; k += Isa::W) {
      V w[NR];
      for (int r = 0; r < NR; ++r) w[r] = L::load(weight + (n + r) * ldw + k);
      if constexpr (MR > 2)  // enough arithmetic per byte that the hardware falls behind
        for (int r = 0; r < NR; ++r) __builtin_prefetch(weight + (n + NR + r) * ldw + k);
      for (int m = 0; m < MR; ++m) {
        V a = Isa::load(rows + m * lda + k);
        asm("" : "+v"(a));  // one load of a, not one per FMA: loads bound this loop
        for (int r = 0; r < NR; ++r) acc[m][r] = Isa::fma(a, w[r], acc[m][r]);
      }
    }
    float sums[MR][NR];
    for (int m = 0; m < MR; ++m)
      for (int r = 0; r < NR; ++r) sums[m][r] = Isa::hsum(acc[m][r]);
    for (int m = 0; m < MR; ++m)
      for (int r = 0; r < NR; ++r) {
        float s = sums[m][r];
        for (int64_t k = k_vectors_end; k < K; ++k)
          s = __builtin_fmaf(rows[m * lda + k], L::one(weight + (n + r) * ldw + k), s);
        if constexpr (L::scaled) s *= p.weight_scales[n + r];
        out[m * N + n + r] = bias ? s + bias[n + r] : s;
      }
  }
  return n;
}

template <typename L, int MR>
void rows_pass(const RowProduct& p, const float* rows, float* out, int64_t n_begin, int64_t n_end) {
  if (p.layout == WeightLayout::in_out) {
    in_out_rows<L, MR>(p, rows, out, n_begin, n_end);
  } else {
    const int64_t n = out_in_pass<L, MR, Isa::out_in_nr(MR)>(p, rows, out, n_begin, n_end);
    out_in_pass<L, MR, 1>(p, rows, out, n, n_end);
  }
}

// All M rows, kMaxRowsPerPass at a time, the weight read as L.
template <typename L>
void row_products_of_type(const RowProduct& p, int64_t n_begin, int64_t n_end) {
  for (int64_t m0 = 0; m0 < p.M; m0 += kMaxRowsPerPass) {
    const float* rows = p.rows + m0 * p.rows_stride;
    float* out = p.out + m0 * p.N;
    switch (min_of(p.M - m0, kMaxRowsPerPass)) {
      case 1:
        rows_pass<L, 1>(p, rows, out, n_begin, n_end);
        break;
      case 2:
        rows_pass<L, 2>(p, rows, out, n_begin, n_end);
        break;
      case 3:
        rows_pass<L, 3>(p, rows, out, n_begin, n_end);
        break;
      case 4:
        rows_pass<L, 4>(p, rows, out, n_begin, n_end);
        break;
      case 5:
        rows_pass<L, 5>(p, rows, out, n_begin, n_end);
        break;
      case 6:
        rows_pass<L, 6>(p, rows, out, n_begin, n_end);
        break;
      case 7:
        rows_pass<L, 7>(p, rows, out, n_begin, n_end);
        break;
      default:
        rows_pass<L, 8>(p, rows, out, n_begin, n_end);
        break;
    }
  }
}

void row_products_for_isa(const RowProduct& p, int64_t n_begin, int64_t n_end) {
  switch (p.weight_type) {
    case WeightType::f32:
      return row_products_of_type<F32Weight>(p, n_begin, n_end);
    case WeightType::bf16:
      return row_products_of_type<Bf16Weight>(p, n_begin, n_end);
    case WeightType::f16:
      return row_products_of_type<F16Weight>(p, n_begin, n_end);
    case WeightType::int8:
      return row_products_of_type<Int8Weight>(p, n_begin, n_end);
  }
}

}  // namespace
}  // namespace gpt2
