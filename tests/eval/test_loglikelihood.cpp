// The harness's request semantics on the one scorer: the token split of a pair, rolling
// windows, log-likelihoods against a float64 token-by-token computation on the golden model,
// and prefix sharing against separate scoring.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "eval/loglikelihood.h"
#include "eval_fixtures.h"
#include "io/checkpoint.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {

// log p(continuation | context) in float64, the row cut from the left to `window` tokens.
Loglikelihood reference(GPT2LMHeadModelImpl& model64, const TokenPair& pair, int64_t window) {
  std::vector<int64_t> row = pair.context;
  row.insert(row.end(), pair.continuation.begin(), pair.continuation.end());
  if (int64_t(row.size()) > window) row.erase(row.begin(), row.end() - window);
  const int64_t L = int64_t(row.size());
  const int64_t scored = std::min<int64_t>(pair.continuation.size(), L - 1);
  at::NoGradGuard no_grad;
  auto log_probs = at::log_softmax(
      model64.forward(at::tensor(row, at::kLong).view({1, L})).logits[0], -1);  // (L, V)
  Loglikelihood out;
  for (int64_t t = L - scored; t < L; ++t) {
    out.logprob += log_probs[t - 1][row[t]].item<double>();
    out.greedy = out.greedy && log_probs[t - 1].argmax().item<int64_t>() == row[t];
    ++out.tokens;
  }
  return out;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<Tokenizer> tokenizer;
  GPT2LMHeadModel model{nullptr}, model64{nullptr};
  Fixture() {
    test::write_tiny_tokenizer(dir.path());
    tokenizer = load_tokenizer(dir.path());
    model = load_model_dir(test::golden_model_dir());
    model64 = load_model_dir(test::golden_model_dir());
    model64->to(at::kDouble);
    model64->eval();
  }
};

}  // namespace

TEST_CASE("encode_pair moves the context's trailing space and splits the whole's tokens") {
  test::TempDir dir;
  test::write_tiny_tokenizer(dir.path());
  auto tok = load_tokenizer(dir.path());
  // "the" = th+e (262), " cat" = Ġc+at (260), " sat" = Ġs+at (258); s = 115, at = 257.
  REQUIRE(tok->encode("the cat sat") == std::vector<int32_t>({262, 260, 258}));
  auto moved = encode_pair(*tok, "the cat ", "sat");
  CHECK(moved.context == std::vector<int64_t>({262, 260}));
  CHECK(moved.continuation == std::vector<int64_t>({258}));
  // Encoded apart, the space would be a token of its own and "sat" would lose its merge.
  CHECK(tok->encode("the cat ") == std::vector<int32_t>({262, 260, 32}));
  CHECK(tok->encode("sat") == std::vector<int32_t>({115, 257}));
  // Without a trailing space the continuation's own leading space joins its word.
  auto plain = encode_pair(*tok, "the cat", " sat");
  CHECK(plain.context == moved.context);
  CHECK(plain.continuation == moved.continuation);
  // An empty context is end-of-text.
  auto empty = encode_pair(*tok, "", "the");
  CHECK(empty.context == std::vector<int64_t>({test::tiny_end_of_text()}));
  CHECK(empty.continuation == std::vector<int64_t>({262}));
  // So is one of whitespace only, which then begins the continuation.
  auto blank = encode_pair(*tok, " ", "the");
  CHECK(blank.context == std::vector<int64_t>({test::tiny_end_of_text()}));
  CHECK(blank.continuation == std::vector<int64_t>({264}));  // " the" = Ġt+he
}

TEST_CASE("rolling windows: the harness's disjoint windows, every token once") {
  // get_rolling_token_windows(10..16, 99, max_seq_len=3, context_len=1) + make_disjoint_window,
  // run in Python: ([99], [10 11 12]), ([12], [13 14 15]), ([13 14 15], [16]).
  auto windows = rolling_windows({10, 11, 12, 13, 14, 15, 16}, 99, 4);
  REQUIRE(windows.size() == 3);
  CHECK(windows[0].context == std::vector<int64_t>({99}));
  CHECK(windows[0].continuation == std::vector<int64_t>({10, 11, 12}));
  CHECK(windows[1].context == std::vector<int64_t>({12}));
  CHECK(windows[1].continuation == std::vector<int64_t>({13, 14, 15}));
  CHECK(windows[2].context == std::vector<int64_t>({13, 14, 15}));
  CHECK(windows[2].continuation == std::vector<int64_t>({16}));
  auto one = rolling_windows({5, 6}, 99, 4);
  REQUIRE(one.size() == 1);
  CHECK(one[0].context == std::vector<int64_t>({99}));
  CHECK(one[0].continuation == std::vector<int64_t>({5, 6}));
  CHECK(rolling_windows({}, 99, 4).empty());
}

TEST_CASE("loglikelihood matches float64, with the left cut and over-long continuations") {
  Fixture f;
  const int64_t window = f.model->config().n_positions;  // 64
  std::vector<LoglikelihoodRequest> requests = {
      {"the cat ", "sat on the mat"},
      {"", "the cat"},
      {repeat("the cat sat on the mat. ", 8), "then the men sat"},  // context cut from the left
      {"a", repeat(" the cat sat on", 16)},                         // continuation > window
      {"on the mat", " a cat"},
  };
  LoglikelihoodOptions options;
  options.batch_size = 2;
  auto got = loglikelihood(*f.model, *f.tokenizer, requests, options);
  options.batch_size = 1;
  auto alone = loglikelihood(*f.model, *f.tokenizer, requests, options);
  REQUIRE(got.size() == requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    CAPTURE(i);
    auto pair = encode_pair(*f.tokenizer, requests[i].context, requests[i].continuation);
    auto want = reference(*f.model64, pair, window);
    CHECK(got[i].tokens == want.tokens);
    CHECK(got[i].logprob == Approx(want.logprob).epsilon(1e-6).margin(1e-9));
    CHECK(got[i].greedy == want.greedy);
    CHECK(alone[i].logprob == Approx(got[i].logprob).epsilon(1e-6));
  }
  auto cut = encode_pair(*f.tokenizer, requests[2].context, requests[2].continuation);
  REQUIRE(int64_t(cut.context.size() + cut.continuation.size()) > window);
  CHECK(got[2].tokens == int64_t(cut.continuation.size()));
  auto over = encode_pair(*f.tokenizer, requests[3].context, requests[3].continuation);
  REQUIRE(int64_t(over.continuation.size()) > window);
  CHECK(got[3].tokens == window - 1);  // its last window - 1 tokens; the first have no room
}

TEST_CASE("prefix sharing equals separate scoring within 1e-6") {
  Fixture f;
  std::vector<LoglikelihoodRequest> requests;
  for (const std::string context : {"the cat sat on the", "on the mat the men", ""}) {
    for (const std::string choice : {" mat", " cat sat on the mat", " men", " a cat. the end"})
      requests.push_back({context, choice});
  }
  // One question whose longest choice overflows the window: scored separately, cut.
  for (const std::string& choice : {std::string(" cat"), repeat(" the cat sat", 8)})
    requests.push_back({repeat("the cat sat on the mat. ", 5), choice});
  LoglikelihoodOptions separate;
  separate.share_prefix = false;
  auto b = loglikelihood(*f.model, *f.tokenizer, requests, separate);
  // 4 rows: each question's choices in one batch; 3 and 1: a context's cache reused by batches.
  for (int64_t batch_size : {4, 3, 1}) {
    CAPTURE(batch_size);
    LoglikelihoodOptions shared;
    shared.share_prefix = true;
    shared.batch_size = batch_size;
    auto a = loglikelihood(*f.model, *f.tokenizer, requests, shared);
    for (size_t i = 0; i < requests.size(); ++i) {
      CAPTURE(i);
      CHECK(a[i].logprob == Approx(b[i].logprob).margin(1e-6));
      CHECK(a[i].tokens == b[i].tokens);
      CHECK(a[i].greedy == b[i].greedy);
      auto pair = encode_pair(*f.tokenizer, requests[i].context, requests[i].continuation);
      CHECK(a[i].logprob == Approx(reference(*f.model64, pair, 64).logprob).margin(1e-6));
    }
  }
}

TEST_CASE("loglikelihood_rolling scores every token once, conditioned on end-of-text") {
  Fixture f;
  const std::string doc = repeat("the cat sat on the mat. then the men sat. ", 6);
  const std::vector<std::string> texts = {doc, "the cat"};
  LoglikelihoodOptions options;
  options.window = 16;  // several windows
  auto got = loglikelihood_rolling(*f.model, *f.tokenizer, texts, options);
  for (size_t d = 0; d < texts.size(); ++d) {
    CAPTURE(d);
    auto ids32 = f.tokenizer->encode(texts[d]);
    std::vector<int64_t> ids(ids32.begin(), ids32.end());
    auto windows = rolling_windows(ids, test::tiny_end_of_text(), 16);
    double want = 0;
    for (const auto& w : windows) {
      REQUIRE(w.context.size() + w.continuation.size() <= 16);
      want += reference(*f.model64, w, 16).logprob;
    }
    CHECK(got[d].tokens == int64_t(ids.size()));
    CHECK(got[d].logprob == Approx(want).epsilon(1e-6));
  }
  // One window covering all of a short text: log p(text | end-of-text), token by token.
  auto ids32 = f.tokenizer->encode("the cat");
  TokenPair whole{{test::tiny_end_of_text()}, std::vector<int64_t>(ids32.begin(), ids32.end())};
  CHECK(got[1].logprob == Approx(reference(*f.model64, whole, 64).logprob).epsilon(1e-6));
}
