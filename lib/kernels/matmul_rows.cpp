#include "kernels/matmul_rows.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "kernels/kernel_choice.h"
#include "kernels/worker_threads.h"

namespace gpt2 {

namespace {

constexpr int64_t kMaxSplitRows = 64;  // measured: from 32 to 64 rows neither faster nor slower
constexpr int64_t kColumnAlign = 16;   // each thread's columns start on a cache line

// Whether work on `t` may be shared out over threads here: several threads, not already in a
// parallel region, no autograd graph to record (the *_out calls below have no gradient), a CPU
// float tensor.
bool parallel_blas_applies(const at::Tensor& t) {
  return at::get_num_threads() > 1 && !in_parallel_work() && !at::GradMode::is_enabled() &&
         t.is_cpu() && (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble);
}

// Runs body(first, last) over [0, n) on the intra-op threads with the caller's grad and
// inference mode (parallel_for does not carry them to its workers in LibTorch 1.13); inside,
// BLAS runs on one thread.
template <typename Body>
void parallel_with_caller_state(int64_t n, const Body& body) {
  const at::ThreadLocalState caller_state;
  at::parallel_for(0, n, 1, [&](int64_t first, int64_t last) {
    at::ThreadLocalStateGuard state_guard(caller_state);
    body(first, last);
  });
}

// Columns per part when [0, N) is cut into `parts` (each part beginning on kColumnAlign).
int64_t column_chunk(int64_t N, int64_t parts) {
  return ((N + parts - 1) / parts + kColumnAlign - 1) / kColumnAlign * kColumnAlign;
}

// How the parts of a product are run: the row kernels on our workers (worker_threads.h), BLAS
// on the intra-op (OpenMP) threads, where it runs on one thread per part.
enum class PartsOn { workers, intra_op_threads };

// Runs body(group, begin, end) for each of `groups` parts of a product (e.g. the halves of its
// K) over column ranges [begin, end) covering [0, N). When the threads divide evenly among the
// groups, each group gets its share of them, its columns split among those; otherwise every
// thread runs all groups in turn on its own share of the columns. One thread, or inside
// parallel work: all groups on [0, N).
template <typename Body>
void over_groups_and_column_parts(PartsOn on, int64_t groups, int64_t N, const Body& body) {
  const int64_t threads = in_parallel_work() ? 1 : at::get_num_threads();
  if (threads == 1) {
    for (int64_t group = 0; group < groups; ++group) body(group, 0, N);
    return;
  }
  const bool thread_per_group = threads % groups == 0;
  const int64_t parts = thread_per_group ? threads / groups : threads;  // column parts
  const int64_t chunk = column_chunk(N, parts);
  auto run = [&](int64_t group, int64_t part) {
    if (part * chunk < N) body(group, part * chunk, std::min(N, (part + 1) * chunk));
  };
  auto items = [&](int64_t first, int64_t last) {
    for (int64_t item = first; item < last; ++item) {
      if (thread_per_group)
        run(item / parts, item % parts);
      else
        for (int64_t group = 0; group < groups; ++group) run(group, item);
    }
  };
  const int64_t n = thread_per_group ? threads : parts;
  if (on == PartsOn::workers)
    parallel_chunks(n, 1, items);
  else
    parallel_with_caller_state(n, items);
}

// Runs body(begin, end) on column ranges [begin, end) covering [0, N), one per intra-op thread,
// or on [0, N) at once with one thread or inside a parallel region.
template <typename Body>
void over_column_parts(PartsOn on, int64_t N, const Body& body) {
  over_groups_and_column_parts(on, 1, N,
                               [&](int64_t, int64_t begin, int64_t end) { body(begin, end); });
}

// rows (M, K) x weight (K, N) [+ bias], each thread computing its own share of the columns.
at::Tensor split_columns(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t M = rows.size(0), N = weight.size(1);
  auto out = at::empty({M, N}, rows.options());  // (M, N)
  over_column_parts(PartsOn::intra_op_threads, N, [&](int64_t begin, int64_t end) {
    auto w = weight.narrow(1, begin, end - begin);      // (K, width)
    auto out_part = out.narrow(1, begin, end - begin);  // (M, width)
    if (bias.defined())
      at::addmm_out(out_part, bias.narrow(0, begin, end - begin), rows, w);
    else
      at::mm_out(out_part, rows, w);
  });
  return out;
}

// From this many weight rows (K) on, the kernel's products are summed in two halves of K.
constexpr int64_t kMinSplitK = 256;

// Where K is cut in two (0: not cut). Each half of the weight's rows is summed on its own and
// the halves are added: two threads then each stream all the columns of half an in_out weight
// rather than half the columns of all of it. bench_row_products, GPT-2 124M, 2 threads, a
// step's products: 1 row 10.3-11.0 -> 9.2-9.7 ms, 8 rows 12.8-13.5 -> 11.6-12.3 ms (most in
// mlp.c_proj, K = 3072). Not for out_in, whose rows are already whole streams (the LM head went
// from 3.0 to 4.6 ms at 1 row). The cut depends on the layout and K alone, so a row's result is
// the same bits at any row count and any thread count.
int64_t k_split_of(WeightLayout layout, int64_t K) {
  return layout == WeightLayout::in_out && K >= kMinSplitK ? K / 2 / kColumnAlign * kColumnAlign
                                                           : 0;
}

// The product over weight rows [k_begin, k_end) only, into `out`, with bias if `with_bias`.
RowProduct k_range_of(RowProduct p, int64_t k_begin, int64_t k_end, float* out, bool with_bias) {
  const int64_t offset = k_begin * (p.layout == WeightLayout::in_out ? p.weight_stride : 1);
  p.weight = static_cast<const char*>(p.weight) + offset * weight_type_bytes(p.weight_type);
  p.rows += k_begin;
  p.K = k_end - k_begin;
  p.out = out;
  if (!with_bias) p.bias = nullptr;
  return p;
}

// rows (M, K) x weight by the row kernel, the threads sharing out the halves of K and the
// columns.
at::Tensor kernel_product(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                          const at::Tensor& bias, RowKernel kernel, const at::Tensor& scales = {}) {
  const auto a = rows.contiguous();    // (M, K)
  const auto w = weight.contiguous();  // (K, N) or (N, K)
  const auto b = bias.defined() ? bias.contiguous() : bias;
  const int64_t K = a.size(1), N = layout == WeightLayout::in_out ? w.size(1) : w.size(0);
  auto out = at::empty({a.size(0), N}, a.options());  // (M, N)
  RowProduct p = row_product_of(a, w, layout, b, out);
  const auto s = scales.defined() ? scales.contiguous() : scales;  // (N), int8 only
  if (s.defined()) p.weight_scales = s.data_ptr<float>();
  const int64_t k_split = k_split_of(layout, K);
  if (k_split == 0) {
    over_column_parts(PartsOn::workers, N,
                      [&](int64_t begin, int64_t end) { row_products(kernel, p, begin, end); });
    return out;
  }
  auto upper_sums = at::empty_like(out);  // (M, N): the sums over K's upper half
  const RowProduct halves[2] = {k_range_of(p, 0, k_split, p.out, true),
                                k_range_of(p, k_split, K, upper_sums.data_ptr<float>(), false)};
  over_groups_and_column_parts(PartsOn::workers, 2, N,
                               [&](int64_t half, int64_t begin, int64_t end) {
                                 row_products(kernel, halves[half], begin, end);
                               });
  return out.add_(upper_sums);  // (M, N)
}

bool kernel_applies(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias,
                    RowKernel kernel) {
  return kernel != RowKernel::none && rows.dim() == 2 && row_kernel_operand(rows) &&
         row_kernel_weight(weight) && row_kernel_operand(bias) &&
         row_kernel_takes_size(rows.size(0), weight.numel(), weight.element_size());
}

WeightType weight_type_of(const at::Tensor& weight) {
  switch (weight.scalar_type()) {
    case at::kBFloat16:
      return WeightType::bf16;
    case at::kHalf:
      return WeightType::f16;
    case at::kChar:
      return WeightType::int8;
    default:
      return WeightType::f32;
  }
}

// The same product by BLAS. BLAS multiplies float weights: a 16-bit weight is widened whole,
// into a temporary, here. This path takes many rows (prefill, perplexity windows), where the
// product's M K N multiply-adds dwarf the K N conversions (256 rows or more: under 1%), or a CPU
// without row kernels. No fp32 copy is kept: that would undo the memory a 16-bit weight saves.
// Widening block by block would need a loop of BLAS calls, each repacking its block anyway.
at::Tensor blas_product(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                        const at::Tensor& bias) {
  const bool narrow_weight =
      weight.scalar_type() == at::kBFloat16 || weight.scalar_type() == at::kHalf;
  const auto wide = narrow_weight ? weight.to(rows.scalar_type()) : weight;
  auto w = layout == WeightLayout::in_out ? wide : wide.t();  // (K, N)
  if (rows.size(0) == 1) {
    auto column = bias.defined() ? at::addmv(bias, w.t(), rows[0]) : at::mv(w.t(), rows[0]);  // (N)
    return column.unsqueeze(0);  // (1, N)
  }
  if (splits_columns(rows, w)) return split_columns(rows, w, bias);
  return bias.defined() ? at::addmm(bias, rows, w) : at::mm(rows, w);  // (M, N)
}

// Times the row kernel against BLAS on these operands (kernel_choice.h): the best of a few
// alternating runs each, after one untimed run of each (the weight's first touch, BLAS's
// buffers). Few rows are timed at 1 row (decoding) plus 8 rows (a batch); many rows as given.
ProductTimes time_products(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                           const at::Tensor& bias, RowKernel kernel, bool many_rows) {
  constexpr int kRounds = 3;
  at::NoGradGuard no_grad;
  const auto first = rows.narrow(0, 0, 1);  // (1, K)
  const auto eight = rows.size(0) >= 8 ? rows.narrow(0, 0, 8)
                                       : first.expand({8, rows.size(1)}).contiguous();  // (8, K)
  const std::vector<at::Tensor> samples =
      many_rows ? std::vector<at::Tensor>{rows} : std::vector<at::Tensor>{first, eight};
  auto milliseconds = [](const auto& run) {
    const auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  ProductTimes times;
  for (const auto& sample : samples) {
    auto by_kernel = [&] { kernel_product(sample, weight, layout, bias, kernel); };
    auto by_blas = [&] { blas_product(sample, weight, layout, bias); };
    by_kernel();
    by_blas();
    double kernel_best = 1e300, blas_best = 1e300;
    for (int round = 0; round < kRounds; ++round) {
      kernel_best = std::min(kernel_best, milliseconds(by_kernel));
      blas_best = std::min(blas_best, milliseconds(by_blas));
    }
    times.kernel_ms += kernel_best;
    times.blas_ms += blas_best;
  }
  return times;
}

// Whether the default path takes the row kernel: where it applies (kernel_applies) and, for a
// float weight, where the measured choice (kernel_choice.h) says so.
bool kernel_chosen(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                   const at::Tensor& bias, RowKernel kernel) {
  if (!kernel_applies(rows, weight, bias, kernel)) return false;
  if (weight.scalar_type() != at::kFloat || kernel_choice_mode() == KernelChoiceMode::rules)
    return true;
  ProductShape shape;
  shape.layout = layout;
  shape.K = rows.size(1);
  shape.N = layout == WeightLayout::in_out ? weight.size(1) : weight.size(0);
  shape.many_rows = rows.size(0) > kMaxKernelRows;
  shape.threads = in_parallel_work() ? 1 : at::get_num_threads();
  shape.kernel = kernel;
  return process_kernel_choices().choose(shape, [&] {
    return time_products(rows, weight, layout, bias, kernel, shape.many_rows);
  }) == ProductPath::row_kernel;
}

}  // namespace

RowProduct row_product_of(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                          const at::Tensor& bias, const at::Tensor& out) {
  RowProduct p;
  p.rows = rows.data_ptr<float>();
  p.M = rows.size(0);
  p.K = rows.size(1);
  p.rows_stride = rows.size(0) > 1 ? rows.stride(0) : p.K;  // one row: any stride is contiguous
  p.N = out.size(1);
  p.weight = weight.data_ptr();
  p.weight_type = weight_type_of(weight);
  if (p.weight_type == WeightType::f32) p.weight = weight.data_ptr<float>();  // checks it is float
  p.layout = layout;
  p.weight_stride = weight.stride(0);
  p.bias = bias.defined() ? bias.data_ptr<float>() : nullptr;
  p.out = out.data_ptr<float>();
  return p;
}

bool row_kernel_operand(const at::Tensor& t) {
  return !t.defined() || (t.is_cpu() && t.scalar_type() == at::kFloat &&
                          !(at::GradMode::is_enabled() && t.requires_grad()));
}

bool row_kernel_weight(const at::Tensor& t) {
  const auto type = t.scalar_type();
  return t.is_cpu() && (type == at::kFloat || type == at::kBFloat16 || type == at::kHalf) &&
         !(at::GradMode::is_enabled() && t.requires_grad());
}

bool row_kernel_takes_size(int64_t rows, int64_t weight_elements, int64_t element_bytes) {
  // The kernel streams the weight once per 8 rows: past kMaxKernelRows, only while those
  // re-reads stay small (a weight that lives in the cache).
  const int64_t passes = (rows + 7) / 8;
  return rows <= kMaxKernelRows ||
         passes * weight_elements * element_bytes <= kMaxKernelRereadBytes;
}

bool uses_row_kernel(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout) {
  return kernel_chosen(rows, weight, layout, {}, best_row_kernel());
}

bool splits_columns(const at::Tensor& rows, const at::Tensor& weight) {
  return rows.dim() == 2 && rows.size(0) > 1 && rows.size(0) <= kMaxSplitRows &&
         parallel_blas_applies(weight);
}

at::Tensor matmul_rows(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                       const at::Tensor& bias) {
  const RowKernel kernel = best_row_kernel();
  if (kernel_chosen(rows, weight, layout, bias, kernel))
    return kernel_product(rows, weight, layout, bias, kernel);
  return blas_product(rows, weight, layout, bias);
}

at::Tensor matmul_rows(const at::Tensor& rows, const at::Tensor& weight, WeightLayout layout,
                       const at::Tensor& bias, RowKernel kernel) {
  if (kernel_applies(rows, weight, bias, kernel))
    return kernel_product(rows, weight, layout, bias, kernel);
  return blas_product(rows, weight, layout, bias);
}

QuantizedWeight quantize_int8(const at::Tensor& weight, WeightLayout layout) {
  at::NoGradGuard no_grad;
  const int64_t k_dim = layout == WeightLayout::in_out ? 0 : 1;  // the summed dimension
  auto w = weight.to(at::kFloat);
  // Per output column n: scale = max_k |W(k, n)| / 127, so q = round(W / scale) is in
  // [-127, 127] (symmetric: no zero point); an all-zero column gets scale 1.
  auto scales = w.abs().amax(k_dim) / 127.0f;  // (N)
  scales = at::where(scales > 0, scales, at::ones_like(scales));
  auto shaped = k_dim == 0 ? scales.unsqueeze(0) : scales.unsqueeze(1);  // (1, N) or (N, 1)
  auto q = (w / shaped).round_().clamp_(-127, 127).to(at::kChar);        // like weight
  return {q.contiguous(), scales.contiguous(), layout};
}

at::Tensor dequantize(const QuantizedWeight& weight) {
  const auto& s = weight.scales;  // (N)
  return weight.values.to(at::kFloat) *
         (weight.layout == WeightLayout::in_out ? s.unsqueeze(0) : s.unsqueeze(1));
}

at::Tensor matmul_rows(const at::Tensor& rows, const QuantizedWeight& weight,
                       const at::Tensor& bias, RowKernel kernel) {
  const auto& q = weight.values;
  if (kernel != RowKernel::none && rows.dim() == 2 && row_kernel_operand(rows) &&
      row_kernel_operand(bias) && q.is_cpu() && row_kernel_takes_size(rows.size(0), q.numel(), 1))
    return kernel_product(rows, q, weight.layout, bias, kernel, weight.scales);
  // Many rows: dequantised into a temporary for BLAS, as for 16-bit weights (matmul_rows above).
  return matmul_rows(rows, dequantize(weight).to(rows.scalar_type()), weight.layout, bias,
                     RowKernel::none);
}

at::Tensor batched_matmul(const at::Tensor& a, const at::Tensor& b) {
  const int64_t N = a.size(0);
  if (N < 2 || !parallel_blas_applies(a)) return at::bmm(a, b);
  auto out = at::empty({N, a.size(1), b.size(2)}, a.options());  // (N, P, R)
  parallel_with_caller_state(N, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      auto out_i = out.select(0, i);  // (P, R)
      at::mm_out(out_i, a.select(0, i), b.select(0, i));
    }
  });
  return out;
}

}  // namespace gpt2
