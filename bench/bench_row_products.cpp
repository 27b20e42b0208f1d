// The decoding step's weight products for GPT-2 124M, by the row kernel (row_products.h) and
// by BLAS (what matmul_rows does without the kernel: a matrix-vector product for one row,
// otherwise BLAS split over columns), for fp32, bf16, f16 and int8 weights (the kernel reads
// them in place; BLAS gets them widened or dequantised to fp32 first). Each shape is timed over 12
// distinct weights, as in the model's 12 layers, so the weights come from memory and not from the
// cache. Usage: bench_row_products [repeats=5] [threads=1,2] [rows=1,8,16,32]
//   [dtypes=f32,bf16,f16,int8]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_timing.h"
#include "core/strings.h"
#include "kernels/matmul_rows.h"
#include "runtime/runtime.h"

using namespace gpt2;

namespace {

struct Shape {
  const char* name;
  int64_t K, N;
  WeightLayout layout;
  int64_t copies;  // weights per step: one per layer, the LM head once
};

std::vector<int> int_list(const char* text) {
  std::vector<int> values;
  for (const auto& item : split(text, ',')) values.push_back(std::atoi(item.c_str()));
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  const auto threads = int_list(argc > 2 ? argv[2] : "1,2");
  const auto row_counts = int_list(argc > 3 ? argv[3] : "1,8,16,32");
  const auto dtypes = split(argc > 4 ? argv[4] : "f32,bf16,f16,int8", ',');
  const RowKernel kernel = best_row_kernel();
  const Shape shapes[] = {{"attn.c_attn", 768, 2304, WeightLayout::in_out, 12},
                          {"attn.c_proj", 768, 768, WeightLayout::in_out, 12},
                          {"mlp.c_fc", 768, 3072, WeightLayout::in_out, 12},
                          {"mlp.c_proj", 3072, 768, WeightLayout::in_out, 12},
                          {"lm_head", 768, 50257, WeightLayout::out_in, 1}};
  std::printf("GPT-2 124M decoding products; kernel: %s; median of %d; ms per step (all layers)\n",
              row_kernel_name(kernel), repeats);
  std::printf("%-12s %5s %5s %7s %10s %10s %8s %10s\n", "weight", "dtype", "rows", "threads",
              "BLAS ms", "kernel ms", "speedup", "kernel GB/s");
  at::NoGradGuard no_grad;
  for (int t : threads) {
    RuntimeConfig runtime;
    runtime.threads = t;
    runtime.device = "cpu";
    apply_runtime(runtime);
    for (int64_t M : row_counts)
      for (const auto& dtype_name : dtypes) {
        const bool int8 = dtype_name == "int8";  // quantised from fp32 (quantize_int8)
        const auto dtype = dtype_name == "bf16"  ? at::kBFloat16
                           : dtype_name == "f16" ? at::kHalf
                                                 : at::kFloat;
        double total_blas = 0, total_kernel = 0;
        for (const auto& s : shapes) {
          std::vector<at::Tensor> weights, biases;
          std::vector<QuantizedWeight> quantized;
          for (int64_t i = 0; i < s.copies; ++i) {
            weights.push_back(
                (s.layout == WeightLayout::in_out ? at::randn({s.K, s.N}) : at::randn({s.N, s.K}))
                    .to(dtype));
            biases.push_back(s.layout == WeightLayout::in_out ? at::randn({s.N}) : at::Tensor());
            if (int8) {
              quantized.push_back(quantize_int8(weights.back(), s.layout));
              weights.back() = quantized.back().values;
            }
          }
          auto rows = at::randn({M, s.K});  // (M, K)
          auto step = [&](RowKernel k) {
            return bench::median_seconds(repeats, [&] {
              for (int64_t i = 0; i < s.copies; ++i)
                if (int8)
                  matmul_rows(rows, quantized[i], biases[i], k);
                else
                  matmul_rows(rows, weights[i], s.layout, biases[i], k);
            });
          };
          const double blas = step(RowKernel::none);
          const double fast = kernel == RowKernel::none ? blas : step(kernel);
          total_blas += blas;
          total_kernel += fast;
          const double bytes = double(s.copies * s.K * s.N) * weights[0].element_size();
          std::printf("%-12s %5s %5ld %7d %10.2f %10.2f %7.2fx %10.1f\n", s.name,
                      dtype_name.c_str(), long(M), t, blas * 1e3, fast * 1e3, blas / fast,
                      bytes / fast / 1e9);
        }
        std::printf("%-12s %5s %5ld %7d %10.2f %10.2f %7.2fx\n", "all", dtype_name.c_str(), long(M),
                    t, total_blas * 1e3, total_kernel * 1e3, total_blas / total_kernel);
        std::fflush(stdout);
      }
  }
  return 0;
}
