// place_in_huge_pages_in_background: the model starts its weights' move to huge pages at its
// second forward (not beside the first token) and adopts it between later forwards, with the
// same logits before and after; with every core busy decoding, it does not start.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

#include "model/gpt2_model.h"
#include "tiny_model_config.h"

using namespace gpt2;

namespace {

uintptr_t address_of(const at::Tensor& t) {
  return reinterpret_cast<uintptr_t>(t.data_ptr());
}

// 4 layers of width 256 and 2,000 tokens: ~4.2 M parameters, past the 4 MiB threshold, in
// ordinary memory (not huge pages), as a loaded model's would be; eval mode.
GPT2LMHeadModel small_model_outside_huge_pages() {
  GPT2LMHeadModel model(test::tiny_model_config(2000, 32, 256, 4, 4), ModelInit::uninitialised);
  at::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.set_data(at::randn(p.sizes()) * 0.02);
  model->eval();
  return model;
}

}  // namespace

TEST_CASE("a model moves its weights to huge pages from its second forward on, same logits") {
#if !defined(__linux__)
  WARN("huge pages are placed on Linux only");
  return;
#endif
  const int threads = at::get_num_threads();
  at::set_num_threads(1);  // a core left free: the copy may start
  at::manual_seed(3);
  auto model = small_model_outside_huge_pages();
  at::NoGradGuard no_grad;
  const auto& wte = model->transformer->wte->weight;
  const uintptr_t before = address_of(wte);
  auto ids = at::randint(0, 2000, {1, 8}, at::kLong);  // (1, 8)
  ForwardArgs args;
  const auto reference = model->forward(ids, args).logits;  // (1, 8, V)

  model->place_in_huge_pages_in_background();
  model->forward(ids, args);  // the first forward: the copy has not started
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  model->forward(ids, args);  // the second starts it; nothing moved yet
  CHECK(address_of(wte) == before);
  at::Tensor logits;
  for (int i = 0; i < 400 && address_of(wte) == before; ++i) {  // up to ~20 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    logits = model->forward(ids, args).logits;  // adopts once the copy is done
  }
  REQUIRE(address_of(wte) != before);
  CHECK(address_of(model->parameters().front()) % (uintptr_t(2) << 20) == 0);
  logits = model->forward(ids, args).logits;
  CHECK(at::equal(logits, reference));
  at::set_num_threads(threads);
}

TEST_CASE("a model whose threads take every core keeps its weights where they are") {
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores == 0) return;
  const int threads = at::get_num_threads();
  at::set_num_threads(int(cores));
  auto model = small_model_outside_huge_pages();
  at::NoGradGuard no_grad;
  const uintptr_t before = address_of(model->transformer->wte->weight);
  auto ids = at::randint(0, 2000, {1, 8}, at::kLong);  // (1, 8)
  model->place_in_huge_pages_in_background();
  for (int i = 0; i < 10; ++i) {
    model->forward(ids, ForwardArgs{});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(address_of(model->transformer->wte->weight) == before);
  at::set_num_threads(threads);
}
