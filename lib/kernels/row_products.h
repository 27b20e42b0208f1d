#pragma once
// Products of a few activation rows with a weight, read where it lies (no repacking), on the
// CPU's vector units: the decoding step's (B, K) x weight for B up to a few dozen rows.
//
// BLAS's general product copies ("packs") the whole weight into its own layout on every call,
// which costs more than the arithmetic when only a few rows multiply it: for GPT-2 124M at
// 8 rows, OpenBLAS spends longer in its copy routines than in its kernel. These kernels stream
// the weight once from memory in its stored layout, so 8 rows cost little more than 1.
//
// Each output element is summed in the same order whatever the number of rows, so a row's
// result does not depend on which other rows share the call (batch invariance, bit for bit).
// Plain C++ (no LibTorch): each instruction set's kernel is its own source file compiled
// for it, and the one to run is chosen at run time from the CPU's features.
#include <cstdint>

namespace gpt2 {

enum class WeightLayout {
  in_out,  // (K, N): Hugging Face's Conv1D
  out_in,  // (N, K): nn.Linear, and the tied LM head (the token embedding)
};

// The weight's element type. 16-bit weights are read as stored and widened to float in
// registers (exactly: every bf16 and f16 value is a float), then summed in float as an fp32
// weight is, so a bf16/f16 product is the same bits as the fp32 product of the widened weight.
// int8: weight-only quantised, symmetric, one scale per output column (weight_scales): each
// column's sums over k of row x q are multiplied by its scale as they are added to out.
enum class WeightType { f32, bf16, f16, int8 };

inline int64_t weight_type_bytes(WeightType type) {
  return type == WeightType::f32 ? 4 : type == WeightType::int8 ? 1 : 2;
}

// Which kernel runs: the instruction set it is compiled for.
enum class RowKernel { none, avx2, avx512 };

// The fastest kernel this CPU runs; none when it has neither AVX2 + FMA + F16C nor AVX-512F, when
// the build is not for x86-64, or when the environment sets GPT2_ROW_KERNELS=0 (then the model uses
// BLAS). GPT2_ROW_KERNELS=avx2 picks AVX2 on an AVX-512 CPU. Decided once per process.
RowKernel best_row_kernel();

// Whether this CPU (and build) can run `kernel`; "avx2", "avx512" or "none" as its name.
bool row_kernel_supported(RowKernel kernel);
const char* row_kernel_name(RowKernel kernel);

// One product: out (M, N) = rows (M, K) x W + bias, where W(k, n) is
// weight[k * weight_stride + n] (in_out) or weight[n * weight_stride + k] (out_in). The
// stride lets W be a block inside a larger tensor, e.g. one head's rows of the KV cache.
struct RowProduct {
  const float* rows = nullptr;  // (M, K)
  int64_t M = 0, K = 0, N = 0;
  int64_t rows_stride = 0;       // between consecutive rows: K when dense, at least K
  const void* weight = nullptr;  // elements of weight_type
  WeightType weight_type = WeightType::f32;
  const float* weight_scales = nullptr;  // int8: (N), W(k, n) = q(k, n) * weight_scales[n]
  WeightLayout layout = WeightLayout::in_out;
  int64_t weight_stride =
      0;  // between consecutive weight rows: N (in_out) or K (out_in) when dense
  const float* bias = nullptr;  // (N), or null
  float* out = nullptr;         // (M, N), row stride N
};

// Computes columns [n_begin, n_end) of p.out; `kernel` must be supported. Threads may call it
// at once on disjoint column ranges of the same product.
void row_products(RowKernel kernel, const RowProduct& p, int64_t n_begin, int64_t n_end);

}  // namespace gpt2
