// The one scorer against a float64 computation on a golden model: continuation log-likelihoods,
// the greedy flag, the harness's left cut to the window, and batching that changes nothing.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "core/tokens.h"
#include "eval/scorer.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "test_support.h"

using namespace gpt2;

namespace {

std::string golden_dir() {
  return test::golden_model_dir();
}

std::vector<int64_t> golden_ids() {
  SafetensorsFile expected(golden_dir() + "/expected.safetensors");
  auto rows = expected.tensor("input_ids");  // (2, 64)
  return std::vector<int64_t>(rows.data_ptr<int64_t>(), rows.data_ptr<int64_t>() + rows.numel());
}

// Sum of -log p(tokens[i] | tokens[:i]) over the last `scored` tokens, and whether each was the
// argmax, in float64.
RowScore reference_score(GPT2LMHeadModelImpl& model, const std::vector<int64_t>& tokens,
                         int64_t scored) {
  at::NoGradGuard no_grad;
  auto input = at::tensor(tokens, at::kLong).view({1, -1});              // (1, L)
  auto log_probs = at::log_softmax(model.forward(input).logits[0], -1);  // (L, V)
  RowScore out;
  const int64_t L = int64_t(tokens.size());
  for (int64_t t = L - scored; t < L; ++t) {
    out.nll -= log_probs[t - 1][tokens[t]].item<double>();
    out.greedy = out.greedy && log_probs[t - 1].argmax().item<int64_t>() == tokens[t];
    ++out.tokens;
  }
  return out;
}

}  // namespace

TEST_CASE("scored continuations match float64 and do not depend on batching or padding") {
  auto model = load_model_dir(golden_dir());
  auto reference = load_model_dir(golden_dir());
  reference->to(at::kDouble);
  reference->eval();
  const auto ids = golden_ids();
  // Rows of different lengths, so the batch pads all but the longest.
  std::vector<ScoreRequest> requests = {
      {std::vector<int64_t>(ids.begin(), ids.begin() + 20), 5},
      {std::vector<int64_t>(ids.begin() + 3, ids.begin() + 40), 1},
      {std::vector<int64_t>(ids.begin() + 64, ids.begin() + 128), 63},
      {std::vector<int64_t>(ids.begin() + 10, ids.begin() + 12), 0},
  };
  auto batched = score_requests(*model, requests, 3);
  auto alone = score_requests(*model, requests, 1);
  REQUIRE(batched.size() == requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    CAPTURE(i);
    RowScore want = reference_score(*reference, requests[i].tokens, requests[i].scored);
    CHECK(batched[i].tokens == requests[i].scored);
    CHECK(batched[i].nll == Approx(want.nll).epsilon(1e-6).margin(1e-9));
    CHECK(batched[i].greedy == want.greedy);
    CHECK(alone[i].nll == Approx(batched[i].nll).epsilon(1e-6).margin(1e-9));
  }
  CHECK(batched[3].nll == 0);
}

TEST_CASE("a continuation is greedy exactly when every token is its position's argmax") {
  auto model = load_model_dir(golden_dir());
  at::NoGradGuard no_grad;
  model->eval();
  const auto ids = golden_ids();
  std::vector<int64_t> context(ids.begin(), ids.begin() + 8);
  // Three greedy steps from the context.
  std::vector<int64_t> row = context, greedy;
  for (int k = 0; k < 3; ++k) {
    auto logits = model->forward(at::tensor(row, at::kLong).view({1, -1})).logits;  // (1, L, V)
    greedy.push_back(logits[0][-1].argmax().item<int64_t>());
    row.push_back(greedy.back());
  }
  std::vector<int64_t> not_greedy = greedy;
  not_greedy[1] = (not_greedy[1] + 1) % model->config().vocab_size;
  auto scores = score_requests(
      *model,
      {continuation_request(context, greedy, 64), continuation_request(context, not_greedy, 64)},
      2);
  CHECK(scores[0].greedy);
  CHECK_FALSE(scores[1].greedy);
  CHECK(scores[1].nll > scores[0].nll);
}

TEST_CASE("continuation requests are cut from the left to the window") {
  const std::vector<int64_t> context = {1, 2, 3, 4, 5}, continuation = {6, 7, 8};
  auto fits = continuation_request(context, continuation, 16);
  CHECK(fits.tokens == std::vector<int64_t>({1, 2, 3, 4, 5, 6, 7, 8}));
  CHECK(fits.scored == 3);
  auto cut = continuation_request(context, continuation, 4);
  CHECK(cut.tokens == std::vector<int64_t>({5, 6, 7, 8}));
  CHECK(cut.scored == 3);
  // A continuation longer than the window: its first token has no room for context.
  auto tight = continuation_request(context, continuation, 3);
  CHECK(tight.tokens == std::vector<int64_t>({6, 7, 8}));
  CHECK(tight.scored == 2);
}

TEST_CASE("score_batch skips kIgnoreIndex targets") {
  auto model = load_model_dir(golden_dir());
  at::NoGradGuard no_grad;
  model->eval();
  const auto ids = golden_ids();
  auto inputs = at::tensor(std::vector<int64_t>(ids.begin(), ids.begin() + 6), at::kLong)
                    .view({1, 6});                           // (1, 6)
  auto targets = at::full({1, 6}, kIgnoreIndex, at::kLong);  // (1, 6)
  targets[0][2] = ids[3];
  targets[0][4] = ids[5];
  auto score = score_batch(*model, inputs, targets)[0];
  CHECK(score.tokens == 2);
  auto log_probs = at::log_softmax(model->forward(inputs).logits[0].to(at::kDouble), -1);  // (6, V)
  double want = -(log_probs[2][ids[3]].item<double>() + log_probs[4][ids[5]].item<double>());
  CHECK(score.nll == Approx(want).epsilon(1e-6));
}
