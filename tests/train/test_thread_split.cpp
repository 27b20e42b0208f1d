// A micro-batch's rows shared out over threads (train/thread_split.h): the gradients and the
// loss equal the unsplit batch's, whatever the slice count, and repeat bit for bit; with
// dropout, the slices' masks depend on the seed and the slice, not on the threads.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/tokens.h"
#include "model/gpt2_model.h"
#include "tiny_model_config.h"
#include "train/grad_utils.h"
#include "train/thread_split.h"

using namespace gpt2;

namespace {

struct Outcome {
  double loss;
  std::vector<at::Tensor> grads;
};

Outcome run(GPT2LMHeadModel& model, const at::Tensor& inputs, const at::Tensor& targets,
            int64_t slices, double weight, uint64_t seed = 1) {
  std::vector<at::Tensor> params = model->parameters();
  for (auto& p : params) p.mutable_grad() = at::Tensor();
  SplitBackward split;
  split.loss_of = [&](const at::Tensor& in, const at::Tensor& tg) {
    ForwardArgs args;
    args.targets = tg;
    return model->forward(in, args).loss;
  };
  split.reported = [](const at::Tensor& loss) { return loss; };
  split.differentiated = [](const at::Tensor& loss) { return loss * 4.0; };  // a loss scale
  Outcome out;
  out.loss =
      split_forward_backward(split, inputs, targets, params, weight, slices, kIgnoreIndex, seed);
  for (auto& p : params) out.grads.push_back(p.grad().clone());
  return out;
}

}  // namespace

TEST_CASE("split_slices gives one slice per thread and at most one per row") {
  CHECK(split_slices(12, 2) == 2);
  CHECK(split_slices(12, 1) == 1);
  CHECK(split_slices(1, 2) == 1);
  CHECK(split_slices(3, 8) == 3);
  // Each slice past the first holds a gradient copy: at most an eighth of memory for them.
  CHECK(split_slices(12, 2, 1e9, 8e9) == 2);
  CHECK(split_slices(12, 2, 1.01e9, 8e9) == 1);
  CHECK(split_slices(12, 3, 1e9, 8e9) == 1);
}

TEST_CASE("a split micro-batch gives the unsplit batch's loss and gradients") {
  at::set_num_threads(2);
  at::manual_seed(3);
  ModelConfig c = test::tiny_model_config(20, 8, 16);
  GPT2LMHeadModel model(c);
  model->train();
  auto inputs = at::randint(20, {5, 8}, at::kLong);   // (B, T)
  auto targets = at::randint(20, {5, 8}, at::kLong);  // (B, T)
  // Unequal scored counts per row, and one row with none, so the slices' weights matter.
  targets.index_put_({0, at::indexing::Slice(0, 5)}, kIgnoreIndex);
  targets.index_put_({3}, kIgnoreIndex);
  targets.index_put_({4, 7}, kIgnoreIndex);

  const double weight = 0.5;  // e.g. two accumulation steps
  const Outcome whole = run(model, inputs, targets, 1, weight);
  ForwardArgs args;
  args.targets = targets;
  const double expected = weight * model->forward(inputs, args).loss.item<double>();
  CHECK(whole.loss == Approx(expected).epsilon(1e-12));
  for (int64_t slices : {2, 3, 5}) {
    INFO("slices " << slices);
    const Outcome split = run(model, inputs, targets, slices, weight);
    CHECK(split.loss == Approx(expected).epsilon(1e-6));
    REQUIRE(split.grads.size() == whole.grads.size());
    for (size_t p = 0; p < whole.grads.size(); ++p) {
      const double scale = whole.grads[p].abs().max().item<double>() + 1e-12;
      const double diff = (split.grads[p] - whole.grads[p]).abs().max().item<double>();
      CHECK(diff <= 1e-5 * scale);
    }
    const Outcome again = run(model, inputs, targets, slices, weight);
    CHECK(again.loss == split.loss);
    for (size_t p = 0; p < whole.grads.size(); ++p)
      CHECK(at::equal(again.grads[p], split.grads[p]));
  }
}

TEST_CASE("a split micro-batch adds to gradients already accumulated") {
  at::set_num_threads(2);
  at::manual_seed(4);
  GPT2LMHeadModel model(test::tiny_model_config(20, 8, 16));
  auto inputs = at::randint(20, {4, 8}, at::kLong);   // (B, T)
  auto targets = at::randint(20, {4, 8}, at::kLong);  // (B, T)
  const Outcome once = run(model, inputs, targets, 2, 1.0);
  SplitBackward split;
  split.loss_of = [&](const at::Tensor& in, const at::Tensor& tg) {
    ForwardArgs args;
    args.targets = tg;
    return model->forward(in, args).loss;
  };
  split.differentiated = [](const at::Tensor& loss) { return loss * 4.0; };
  split.reported = [](const at::Tensor& loss) { return loss; };
  std::vector<at::Tensor> params = model->parameters();
  split_forward_backward(split, inputs, targets, params, 1.0, 2, kIgnoreIndex, 1);  // on top
  for (size_t p = 0; p < params.size(); ++p)
    CHECK(at::allclose(params[p].grad(), once.grads[p] * 2, 1e-6, 1e-7));
}

TEST_CASE("with dropout, split slices draw the same masks on one thread or two") {
  at::manual_seed(5);
  ModelConfig c = test::tiny_model_config(20, 8, 16);
  c.embd_pdrop = c.attn_pdrop = c.resid_pdrop = 0.2;
  GPT2LMHeadModel model(c);
  model->train();
  auto inputs = at::randint(20, {4, 8}, at::kLong);   // (B, T)
  auto targets = at::randint(20, {4, 8}, at::kLong);  // (B, T)
  at::set_num_threads(2);
  const Outcome two = run(model, inputs, targets, 2, 1.0, 7);
  at::set_num_threads(1);
  const Outcome one = run(model, inputs, targets, 2, 1.0, 7);
  const Outcome other_seed = run(model, inputs, targets, 2, 1.0, 8);
  at::set_num_threads(2);
  CHECK(one.loss == two.loss);  // the same masks: the forward pass is the same to the bit
  bool seeds_differ = false;
  for (size_t p = 0; p < one.grads.size(); ++p) {
    // Reductions in the backward pass may group their sums by the thread count.
    CHECK(at::allclose(one.grads[p], two.grads[p], 1e-5, 1e-7));
    seeds_differ |= !at::equal(one.grads[p], other_seed.grads[p]);
  }
  CHECK(seeds_differ);
  CHECK(other_seed.loss != one.loss);
}
