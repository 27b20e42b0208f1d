#include "kernels/row_products.h"

#include <cstdlib>
#include <string>

#include "core/error.h"
#include "kernels/row_math.h"

namespace gpt2 {

#if defined(GPT2_X86_ROW_KERNELS)
namespace detail {
void row_products_avx2(const RowProduct& p, int64_t n_begin, int64_t n_end);
void row_products_avx512(const RowProduct& p, int64_t n_begin, int64_t n_end);
const RowMath& row_math_avx2();
const RowMath& row_math_avx512();
}  // namespace detail
#endif

bool row_kernel_supported(RowKernel kernel) {
#if defined(GPT2_X86_ROW_KERNELS)
  __builtin_cpu_init();
  switch (kernel) {
    case RowKernel::none:
      return true;
    case RowKernel::avx2:
      // F16C widens f16 weights; every CPU with AVX2 and FMA so far has it.
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             __builtin_cpu_supports("f16c");
    case RowKernel::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("f16c");
  }
  return false;
#else
  return kernel == RowKernel::none;
#endif
}

const char* row_kernel_name(RowKernel kernel) {
  switch (kernel) {
    case RowKernel::avx2:
      return "avx2";
    case RowKernel::avx512:
      return "avx512";
    default:
      return "none";
  }
}

RowKernel best_row_kernel() {
  static const RowKernel best = [] {
    const char* setting = std::getenv("GPT2_ROW_KERNELS");
    const std::string wanted = setting ? setting : "";
    if (wanted == "0" || wanted == "none") return RowKernel::none;
    if (wanted != "avx2" && row_kernel_supported(RowKernel::avx512)) return RowKernel::avx512;
    if (row_kernel_supported(RowKernel::avx2)) return RowKernel::avx2;
    return RowKernel::none;
  }();
  return best;
}

void row_products(RowKernel kernel, [[maybe_unused]] const RowProduct& p,
                  [[maybe_unused]] int64_t n_begin, [[maybe_unused]] int64_t n_end) {
  if (p.rows_stride < p.K)
    throw Error("row_products: rows_stride " + std::to_string(p.rows_stride) +
                " is below K = " + std::to_string(p.K) + " (set it to K for dense rows)");
#if defined(GPT2_X86_ROW_KERNELS)
  if (kernel == RowKernel::avx512) return detail::row_products_avx512(p, n_begin, n_end);
  if (kernel == RowKernel::avx2) return detail::row_products_avx2(p, n_begin, n_end);
#endif
  throw Error(std::string("row_products: no ") + row_kernel_name(kernel) +
              " kernel in this build for this CPU (check row_kernel_supported first)");
}

const RowMath& row_math(RowKernel kernel) {
#if defined(GPT2_X86_ROW_KERNELS)
  if (kernel == RowKernel::avx512) return detail::row_math_avx512();
  if (kernel == RowKernel::avx2) return detail::row_math_avx2();
#endif
  throw Error(std::string("row_math: no ") + row_kernel_name(kernel) +
              " functions in this build for this CPU (check row_kernel_supported first)");
}

}  // namespace gpt2
