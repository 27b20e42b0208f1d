#pragma once
// The row kernels this CPU runs (besides none), for tests that check each of them.
#include <vector>

#include "kernels/row_products.h"

namespace gpt2::test {

inline std::vector<RowKernel> supported_kernels() {
  std::vector<RowKernel> kernels;
  for (RowKernel k : {RowKernel::avx2, RowKernel::avx512})
    if (row_kernel_supported(k)) kernels.push_back(k);
  return kernels;
}

}  // namespace gpt2::test
