#pragma once
// The model's products of activation rows with a weight, (M, K) x weight -> (M, N), choosing
// the row kernel (row_products.h) or the BLAS call by the number of rows. Decoding multiplies one
// row per sequence by every weight, and BLAS's general product is slow there: it repacks the whole
// weight on every call and, with a few rows, splits the work over rows so a second thread only adds
// overhead. Measured for GPT-2 124M on 2 threads: c_attn with one row 0.21 ms as a product, 0.06 ms
// as a matrix-vector product; with 8 rows 0.64 ms, 0.29 ms split over columns; the LM head with one
// row 10.7 ms vs 5.2 ms.
#include <ATen/core/Tensor.h>

#include "kernels/row_products.h"

namespace gpt2 {

// The most rows matmul_rows gives the row kernel (more: BLAS). bench/bench_row_products, GPT-2
// 124M's products on AVX-512, kernel vs BLAS: 8 rows 2.2x, 32 rows 1.6x, 128 rows 1.35x,
// 256 rows 1.2x (1 thread) / 1.4x (2 threads); past that BLAS's repacking pays for itself.
constexpr int64_t kMaxKernelRows = 256;
// More rows still go to the kernel while the weight's re-reads (once per 8 rows) stay under
// this: small models' weights stay in the cache (shakespeare_char, 768 rows: 1.4-1.8x BLAS).
constexpr int64_t kMaxKernelRereadBytes = int64_t(64) << 20;

// rows (M, K) times the weight, plus bias (N) when defined: (M, N).
// - up to kMaxKernelRows float rows (or more, for a small weight) and a float, bf16 or f16
//   weight (read as stored, widened in registers), no autograd graph, a CPU
//   with a row kernel (row_products.h), and for a float weight the kernel timed faster than
//   BLAS for this shape on this machine (kernel_choice.h): the kernel, its columns split over
//   threads; an in_out weight of 256 rows or more is summed in two halves of its rows, one per
//   thread;
// - one row: a matrix-vector product (reads the weight once, no repacking);
// - 2-64 rows, several threads, no autograd: the weight's output columns split over threads,
//   each running single-threaded BLAS on its share;
// - otherwise the general product (a bf16/f16 weight widened to the rows' type first).
at::Tensor matmul_rows(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                       const at::Tensor& bias);
// The same with a given row kernel (RowKernel::none: BLAS only), for tests and benchmarks.
at::Tensor matmul_rows(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                       const at::Tensor& bias, RowKernel kernel);

// Whether matmul_rows uses the row kernel / splits BLAS over columns for these operands
// (exposed for tests). The first call for a float weight's shape may time both (kernel_choice.h).
bool uses_row_kernel(const at::Tensor& rows, const at::Tensor& weight,
                     WeightLayout layout = WeightLayout::in_out);
// The parts of that rule: the kernel reads undefined tensors (no bias) and float CPU tensors
// with no autograd graph to record; and it takes up to kMaxKernelRows rows, or more within the
// re-read budget. The weight may also be bf16 or f16 (row_kernel_weight).
bool row_kernel_operand(const at::Tensor& t);
bool row_kernel_weight(const at::Tensor& t);
bool row_kernel_takes_size(int64_t rows, int64_t weight_elements, int64_t element_bytes = 4);

// The kernel's view of tensors: rows (M, K) and weight with unit stride along their rows (row
// strides rows.stride(0), weight.stride(0)), bias (N) contiguous or undefined, out (M, N)
// contiguous.
RowProduct row_product_of(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                          const at::Tensor& bias, const at::Tensor& out);
bool splits_columns(const at::Tensor& rows, const at::Tensor& weight);

// Weight-only int8: symmetric, one scale per output column, W(k, n) ~ values(k, n) * scales[n]
// (in_out; out_in: values(n, k) * scales[n]). For inference: no gradient.
struct QuantizedWeight {
  at::Tensor values;  // int8, the weight's shape and layout
  at::Tensor scales;  // (N) float
  WeightLayout layout = WeightLayout::in_out;
};
// scales[n] = max |W(., n)| / 127, values = round(W / scale): each element within scale / 2.
QuantizedWeight quantize_int8(const at::Tensor& weight, WeightLayout layout);
at::Tensor dequantize(const QuantizedWeight& weight);  // float, the weight's shape
// rows (M, K) x the quantised weight + bias: the row kernel (dequantising in registers) where
// matmul_rows would take it, else BLAS on the dequantised weight.
at::Tensor matmul_rows(const at::Tensor& rows, const QuantizedWeight& weight,
                       const at::Tensor& bias, RowKernel kernel = best_row_kernel());

// a (N, P, Q) x b (N, Q, R) -> (N, P, R), like at::bmm. LibTorch without MKL runs bmm as a
// serial loop of one small BLAS call per batch item; with no autograd graph to record and
// several threads, the items are shared out over threads instead (decoding attention over
// 8 x 12 heads: 0.33 ms -> 0.17 ms a layer on 2 threads).
at::Tensor batched_matmul(const at::Tensor& a, const at::Tensor& b);

}  // namespace gpt2
