// place_parameters_in_huge_pages keeps each parameter's values, identity and autograd setting,
// puts them in one 2 MiB-aligned block, and leaves small modules as they are; HugePagePlacement
// does the same on a thread of its own, adopted later.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

#include "kernels/huge_pages.h"

using namespace gpt2;

namespace {

struct TwoWeights : torch::nn::Module {
  explicit TwoWeights(int64_t rows) {
    big = register_parameter("big", at::randn({rows, 1000}));
    bias = register_parameter("bias", at::randn({7}), /*requires_grad=*/false);
  }
  at::Tensor big, bias;
};

uintptr_t address(const at::Tensor& t) {
  return reinterpret_cast<uintptr_t>(t.data_ptr());
}

// The parameters left `old_address` for one 2 MiB-aligned block, back to back, with their values
// and autograd settings.
void check_moved(const TwoWeights& module, uintptr_t old_address, const at::Tensor& big_before,
                 const at::Tensor& bias_before) {
  CHECK(address(module.big) != old_address);
  CHECK(address(module.big) % (uintptr_t(2) << 20) == 0);
  CHECK(address(module.bias) == address(module.big) + module.big.numel() * sizeof(float));
  CHECK(at::equal(module.big, big_before));
  CHECK(at::equal(module.bias, bias_before));
  CHECK(module.big.requires_grad());
  CHECK_FALSE(module.bias.requires_grad());
}

}  // namespace

TEST_CASE("parameters move into one huge-page block with their values and identity") {
#if !defined(__linux__)
  WARN("huge pages are placed on Linux only");
  return;
#endif
  at::manual_seed(1);
  TwoWeights module(2000);  // 8 MB
  const auto big_before = module.big.clone(), bias_before = module.bias.clone();
  const auto* big_impl = module.big.unsafeGetTensorImpl();
  const uintptr_t old_address = address(module.big);
  place_parameters_in_huge_pages(module);

  CHECK(module.big.unsafeGetTensorImpl() == big_impl);  // the same tensor, new storage
  check_moved(module, old_address, big_before, bias_before);
  // Still trainable: gradients reach the moved parameter.
  (module.big * 2).sum().backward();
  REQUIRE(module.big.grad().defined());
  CHECK(at::equal(module.big.grad(), at::full_like(module.big, 2.0)));
}

TEST_CASE("a module under 4 MiB of parameters keeps its memory") {
  TwoWeights module(10);
  const uintptr_t old_address = address(module.big);
  place_parameters_in_huge_pages(module);
  CHECK(address(module.big) == old_address);
}

namespace {

// Waits (up to 20 s) for a background placement's copy to finish.
bool wait_ready(const HugePagePlacement& placement) {
  for (int i = 0; i < 2000 && !placement.ready(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return placement.ready();
}

}  // namespace

TEST_CASE("a background placement moves the parameters when adopted, with their values") {
#if !defined(__linux__)
  WARN("huge pages are placed on Linux only");
  return;
#endif
  at::manual_seed(2);
  TwoWeights module(2000);  // 8 MB
  const auto big_before = module.big.clone(), bias_before = module.bias.clone();
  const uintptr_t old_address = address(module.big);
  HugePagePlacement placement(module);
  REQUIRE(wait_ready(placement));
  CHECK(address(module.big) == old_address);  // nothing moves before adopt()
  REQUIRE(placement.adopt());
  check_moved(module, old_address, big_before, bias_before);
}

TEST_CASE("a background placement adopts nothing for a parameter replaced meanwhile") {
  TwoWeights module(2000);
  HugePagePlacement placement(module);
  const auto replacement = at::zeros({2000, 1000});
  {
    at::NoGradGuard no_grad;
    module.big.set_data(replacement);  // e.g. converted to another dtype after loading
  }
  REQUIRE(wait_ready(placement));
  CHECK(placement.adopt());
  CHECK(module.big.data_ptr() == replacement.data_ptr());
}

TEST_CASE("a background placement stopped early leaves the parameters where they are") {
  TwoWeights module(4000);  // 16 MB
  const uintptr_t old_address = address(module.big);
  const auto before = module.big.clone();
  { HugePagePlacement placement(module); }  // destroyed at once: stops and joins its thread
  CHECK(address(module.big) == old_address);
  CHECK(at::equal(module.big, before));
}
