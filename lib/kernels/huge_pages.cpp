#include "kernels/huge_pages.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace gpt2 {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kAlign = 64;  // each parameter starts on a cache line
constexpr size_t kMinBytes = size_t(4) << 20;

size_t aligned(size_t bytes, size_t to) {
  return (bytes + to - 1) / to * to;
}

}  // namespace

void place_parameters_in_huge_pages([[maybe_unused]] torch::nn::Module& module,
                                    [[maybe_unused]] bool keep_values) {
#if defined(__linux__)
  std::vector<at::Tensor> parameters;
  size_t total = 0;
  for (auto& p : module.parameters())
    if (p.is_cpu() && p.is_contiguous()) {
      parameters.push_back(p);
      total += aligned(p.nbytes(), kAlign);
    }
  const char* setting = std::getenv("GPT2_HUGE_PAGES");
  if (total < kMinBytes || (setting && std::string(setting) == "0")) return;
  const size_t size = aligned(total, kHugePage);
  void* memory = std::aligned_alloc(kHugePage, size);
  if (!memory) throw std::bad_alloc();
  std::shared_ptr<void> block(memory, std::free);
  madvise(memory, size, MADV_HUGEPAGE);  // advice only: without it the memory is ordinary

  at::NoGradGuard no_grad;
  char* next = static_cast<char*>(memory);
  for (auto& p : parameters) {
    auto placed = at::from_blob(
        next, p.sizes(), [block](void*) {}, p.options().requires_grad(false));
    if (keep_values) placed.copy_(p);
    p.set_data(placed);
    next += aligned(p.nbytes(), kAlign);
  }
#endif
}

}  // namespace gpt2
