#include "kernels/huge_pages.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <atomic>
#include <cstring>
#include <thread>

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

bool huge_pages_disabled() {
  const char* setting = std::getenv("GPT2_HUGE_PAGES");
  return setting && std::string(setting) == "0";
}

// A block of `size` bytes aligned to 2 MiB and advised as huge pages; freed with std::free.
std::shared_ptr<void> huge_page_block(size_t size) {
  void* memory = std::aligned_alloc(kHugePage, size);
  if (!memory) throw std::bad_alloc();
#if defined(__linux__)
  madvise(memory, size, MADV_HUGEPAGE);  // advice only: without it the memory is ordinary
#endif
  return std::shared_ptr<void>(memory, std::free);
}

// The module's CPU parameters that a block can take, and the bytes they need in it.
std::vector<at::Tensor> placeable_parameters(torch::nn::Module& module, size_t& total) {
  std::vector<at::Tensor> parameters;
  total = 0;
  for (auto& p : module.parameters())
    if (p.is_cpu() && p.is_contiguous()) {
      parameters.push_back(p);
      total += aligned(p.nbytes(), kAlign);
    }
  return parameters;
}

}  // namespace

void place_parameters_in_huge_pages([[maybe_unused]] torch::nn::Module& module,
                                    [[maybe_unused]] bool keep_values) {
#if defined(__linux__)
  size_t total = 0;
  auto parameters = placeable_parameters(module, total);
  if (total < kMinBytes || huge_pages_disabled()) return;
  auto block = huge_page_block(aligned(total, kHugePage));
  char* memory = static_cast<char*>(block.get());

  at::NoGradGuard no_grad;
  char* next = memory;
  for (auto& p : parameters) {
    auto placed = at::from_blob(
        next, p.sizes(), [block](void*) {}, p.options().requires_grad(false));
    if (keep_values) placed.copy_(p);
    p.set_data(placed);
    next += aligned(p.nbytes(), kAlign);
  }
#endif
}

struct HugePagePlacement::State {
  std::vector<at::Tensor> parameters;  // the module's, whose data is replaced by adopt()
  std::vector<at::Tensor> sources;     // each parameter's data when the copy began (kept alive)
  std::shared_ptr<void> block;
  std::atomic<bool> done{false}, stop{false};
  std::thread copier;
};

HugePagePlacement::HugePagePlacement(torch::nn::Module& module) : state_(new State) {
  size_t total = 0;
  state_->parameters = placeable_parameters(module, total);
  if (total < kMinBytes || huge_pages_disabled()) {
    state_->parameters.clear();
    state_->done = true;  // nothing to move: adopt() changes nothing
    return;
  }
  for (const auto& p : state_->parameters) state_->sources.push_back(p.detach());
  state_->block = huge_page_block(aligned(total, kHugePage));
  State* state = state_.get();
  state_->copier = std::thread([state] {
    char* next = static_cast<char*>(state->block.get());
    for (size_t i = 0; i < state->parameters.size() && !state->stop; ++i) {
      const size_t bytes = state->parameters[i].nbytes();
      // In slices of 2 MiB, so that stopping does not wait for a whole large tensor.
      for (size_t done = 0; done < bytes && !state->stop; done += kHugePage)
        std::memcpy(next + done, static_cast<const char*>(state->sources[i].data_ptr()) + done,
                    std::min(kHugePage, bytes - done));
      next += aligned(bytes, kAlign);
    }
    state->done = !state->stop;
  });
}

HugePagePlacement::~HugePagePlacement() {
  state_->stop = true;
  if (state_->copier.joinable()) state_->copier.join();
}

bool HugePagePlacement::ready() const {
  return state_->done;
}

bool HugePagePlacement::adopt() {
  if (!state_->done) return false;
  if (state_->copier.joinable()) state_->copier.join();
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < state_->parameters.size(); ++i)
    if (state_->parameters[i].data_ptr() != state_->sources[i].data_ptr()) {
      state_->parameters.clear();  // replaced meanwhile (moved, converted): the copy is stale
      state_->sources.clear();
      state_->block.reset();
      return true;
    }
  char* next = static_cast<char*>(state_->block.get());
  auto block = state_->block;
  for (auto& p : state_->parameters) {
    auto placed = at::from_blob(
        next, p.sizes(), [block](void*) {}, p.options().requires_grad(false));
    p.set_data(placed);
    next += aligned(p.nbytes(), kAlign);
  }
  state_->parameters.clear();
  state_->sources.clear();  // the file's mapping goes with the last of these
  state_->block.reset();
  return true;
}

}  // namespace gpt2
