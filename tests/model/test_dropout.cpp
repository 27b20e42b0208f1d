// The model's dropout (model/dropout.h): ATen's on the default generator, or, inside a
// DropoutGeneratorScope, inverted dropout drawn from the thread's own generator.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <catch2/catch.hpp>

#include "model/dropout.h"

using namespace gpt2;

TEST_CASE("model dropout in a generator scope keeps 1 - p of the elements, scaled by 1/(1-p)") {
  auto x = at::rand({200, 100}) + 1;  // (200, 100), no zeros
  const double p = 0.25;
  at::Tensor first, second, third;
  {
    DropoutGeneratorScope scope(at::make_generator<at::CPUGeneratorImpl>(11));
    first = model_dropout(x, p);
  }
  {
    DropoutGeneratorScope scope(at::make_generator<at::CPUGeneratorImpl>(11));
    second = model_dropout(x, p);
  }
  {
    DropoutGeneratorScope scope(at::make_generator<at::CPUGeneratorImpl>(12));
    third = model_dropout(x, p);
  }
  CHECK(at::equal(first, second));
  CHECK(!at::equal(first, third));
  auto kept = first.ne(0);
  // 20,000 draws: the kept share is 0.75 within 5 standard deviations (0.0031 each).
  CHECK(kept.to(at::kDouble).mean().item<double>() == Approx(0.75).margin(0.0155));
  CHECK(at::allclose(first.masked_select(kept), (x / (1 - p)).masked_select(kept)));
}

TEST_CASE("model dropout outside a scope is ATen's on the default generator") {
  auto x = at::rand({50, 40}) + 1;  // (50, 40)
  at::manual_seed(3);
  auto ours = model_dropout(x, 0.1);
  at::manual_seed(3);
  auto aten = at::dropout(x, 0.1, true);
  CHECK(at::equal(ours, aten));
}
