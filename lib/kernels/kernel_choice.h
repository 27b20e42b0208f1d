#pragma once
// Which code multiplies a float weight by a few rows, the row kernel (row_products.h) or BLAS,
// decided by timing both on this machine the first time each weight shape is met, and kept in a
// file per user so later processes reuse the answer.
//
// Why measured: which one wins depends on the machine, not on its instruction set alone. On a
// 2-core Zen 3 (AVX2) the AVX2 kernel once decoded slower than OpenBLAS's matrix-vector product,
// on a Sapphire Rapids (AVX-512) both kernels beat it by 1.3-2x; a memory-bandwidth-bound product
// follows the memory system, which the CPU's flags do not describe.
//
// Only float weights are measured. A bf16/f16/int8 weight always takes the kernel: BLAS would
// first widen the whole weight into a float temporary on every call, more memory traffic than
// the kernel's whole product. The choice is per weight shape, not per row count, so that a
// row's result keeps the same bits whatever the batch (the kernel's batch invariance).
//
// GPT2_KERNEL_CHOICE=measure (default) | rules (the kernel wherever it applies, no timing:
// bit-for-bit the same choice on every machine). GPT2_KERNEL_CACHE names the file (default
// $XDG_CACHE_HOME/gpt2/kernel_choice.json, else ~/.cache/gpt2/kernel_choice.json).
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "kernels/row_products.h"

namespace gpt2 {

// A product's shape as the choice sees it.
struct ProductShape {
  WeightLayout layout = WeightLayout::in_out;
  int64_t K = 0, N = 0;
  // Decoding's few rows (up to kMaxKernelRows), or many rows of a weight small enough for the
  // kernel's re-reads (small models' training); timed apart, since BLAS gains on the second.
  bool many_rows = false;
  int64_t threads = 1;  // the threads the product runs on
  RowKernel kernel = RowKernel::none;

  std::string key() const;  // e.g. "avx512 in_out K768 N2304 few t2"
};

struct ProductTimes {
  double kernel_ms = 0, blas_ms = 0;
};

enum class ProductPath { row_kernel, blas };

// BLAS is chosen only when it is faster by more than this factor: the kernel is batch invariant,
// and two close timings should not flip the choice from one run to the next.
constexpr double kBlasMargin = 1.05;
ProductPath path_for(const ProductTimes& times);

// Choices for one machine, read from and written to `file` ("" keeps them in memory only). The
// file holds several machines' choices, each under its own description, so a home directory
// shared between machines keeps each one's. Thread-safe: one measurement at a time.
class KernelChoices {
 public:
  KernelChoices(std::string file, std::string machine);

  // The choice for `shape`: from memory or the file, else measure() is called once (under the
  // lock) and its answer recorded and saved.
  ProductPath choose(const ProductShape& shape, const std::function<ProductTimes()>& measure);

  const std::string& file() const { return file_; }
  size_t size() const;

 private:
  void load();
  void save() const;

  std::string file_, machine_;
  mutable std::mutex mutex_;
  std::map<std::string, ProductTimes> times_;  // by ProductShape::key()
};

enum class KernelChoiceMode { measure, rules };
KernelChoiceMode kernel_choice_mode();  // from GPT2_KERNEL_CHOICE (an unknown value: Error)

// This process's choices: the file from the environment, the machine from /proc/cpuinfo's model
// name and the number of cores.
KernelChoices& process_kernel_choices();
std::string kernel_choice_file();
std::string machine_description();

}  // namespace gpt2
