// Sliding-window perplexity against hand-computed windows and a float64 computation done one
// token at a time on a golden model.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "eval/perplexity.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "test_support.h"

using namespace gpt2;

namespace gpt2 {
bool operator==(const Window& a, const Window& b) {
  return a.begin == b.begin && a.end == b.end && a.scored == b.scored;
}
}  // namespace gpt2

TEST_CASE("sliding windows score every token but the first exactly once") {
  // length 10, context 4, stride 2: [0,4) scores 1..3, then two new tokens per window.
  auto windows = sliding_windows(10, 4, 2);
  std::vector<Window> want = {{0, 4, 3}, {2, 6, 2}, {4, 8, 2}, {6, 10, 2}};
  REQUIRE(windows.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(windows[i] == want[i]);
  // stride == context: the stride becomes context - 1, so each window's first token is context
  // for the next one (token 4 cannot be scored in a window that starts at it).
  CHECK(effective_stride(4, 4) == 3);
  std::vector<Window> want_overlap1 = {{0, 4, 3}, {3, 7, 3}, {6, 10, 3}};
  auto windows_no_overlap = sliding_windows(10, 4, 4);
  REQUIRE(windows_no_overlap.size() == want_overlap1.size());
  for (size_t i = 0; i < want_overlap1.size(); ++i)
    CHECK(windows_no_overlap[i] == want_overlap1[i]);
  // 0 is half the window; a stride beyond the window is refused, naming the most it may be.
  CHECK(effective_stride(1024, 0) == 512);
  CHECK(effective_stride(5, 0) == 2);
  CHECK(effective_stride(2, 0) == 1);
  CHECK((sliding_windows(10, 4, 0) == sliding_windows(10, 4, 2)));
  CHECK_THROWS_WITH(effective_stride(4, 9),
                    Catch::Contains("eval.stride 9 exceeds the window (eval.context 4)") &&
                        Catch::Contains("give at most 4"));
  // Shorter than one window.
  auto single = sliding_windows(3, 4, 2);
  REQUIRE(single.size() == 1);
  CHECK(single[0] == Window{0, 3, 2});
}

TEST_CASE("perplexity matches a float64 token-by-token computation on a golden model") {
  const std::string dir = test::golden_model_dir();
  auto model = load_model_dir(dir);
  SafetensorsFile expected(dir + "/expected.safetensors");
  auto rows = expected.tensor("input_ids");  // (2, 64)
  std::vector<int64_t> ids(rows.data_ptr<int64_t>(), rows.data_ptr<int64_t>() + rows.numel());
  const int64_t N = int64_t(ids.size());
  // Overlapping windows, and stride == context (the stride becomes context - 1).
  auto [context, stride] =
      GENERATE(std::pair<int64_t, int64_t>{48, 16}, std::pair<int64_t, int64_t>{16, 16});
  CAPTURE(context, stride);

  EvalConfig config;
  config.context = context;
  config.stride = stride;
  config.batch_size = 3;
  auto result = evaluate_perplexity(*model, ids, config);
  CHECK(result.tokens == N - 1);

  // Reference: token i is scored in the first window that reaches it, the one whose begin is
  // the smallest multiple of the (effective) stride with begin + context > i.
  auto reference = load_model_dir(dir);
  reference->to(at::kDouble);
  reference->eval();
  at::NoGradGuard no_grad;
  auto all = at::tensor(ids, at::kLong);
  double nll = 0;
  for (int64_t i = 1; i < N; ++i) {
    int64_t begin = 0;
    while (begin + context <= i) begin += std::min(stride, context - 1);
    auto input = all.slice(0, begin, i).view({1, -1});      // (1, i - begin)
    auto logits = reference->forward(input).logits[0][-1];  // (V)
    nll -= at::log_softmax(logits, -1)[ids[i]].item<double>();
  }
  INFO("nll " << result.nll_sum << " vs float64 " << nll);
  CHECK(result.nll_sum == Approx(nll).epsilon(1e-6));
  CHECK(result.perplexity() == Approx(std::exp(nll / (N - 1))).epsilon(1e-6));

  // Batch size does not change the result beyond float32 round-off.
  config.batch_size = 1;
  CHECK(evaluate_perplexity(*model, ids, config).nll_sum == Approx(result.nll_sum).epsilon(1e-6));
}

TEST_CASE("bits per byte and word perplexity follow from the NLL") {
  PerplexityResult r;
  r.nll_sum = 100;
  r.tokens = 50;
  r.bytes = 200;
  r.words = 40;
  CHECK(r.perplexity() == Approx(std::exp(2.0)));
  CHECK(r.bits_per_byte() == Approx(100 / std::log(2.0) / 200));
  CHECK(r.word_perplexity() == Approx(std::exp(2.5)));
  CHECK(count_words("  the cat\n sat\t\ton  ") == 4);
  CHECK(std::isnan(PerplexityResult{}.bits_per_byte()));
}
