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

// log p(continuation | context) in float64 as the harness computes it: the row is
// (context + continuation)[-(window + 1):], fed all but its last token (`window` at most).
Loglikelihood reference(GPT2LMHeadModelImpl& model64, const TokenPair& pair, int64_t window) {
  std::vector<int64_t> row = pair.context;
  row.insert(row.end(), pair.continuation.begin(), pair.continuation.end());
  if (int64_t(row.size()) > window + 1) row.erase(row.begin(), row.end() - (window + 1));
  const int64_t L = int64_t(row.size());
  const int64_t scored = std::min<int64_t>(pair.continuation.size(), L - 1);
  REQUIRE(L - 1 <= model64.config().n_positions);
  at::NoGradGuard no_grad;
  const std::vector<int64_t> fed(row.begin(), row.end() - 1);
  auto log_probs = at::log_softmax(
      model64.forward(at::tensor(fed, at::kLong).view({1, L - 1})).logits[0], -1);  // (L-1, V)
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
  // A window of 4 = the harness's max_seq_len 4 (max_length): each pair holds up to 5 tokens,
  // 4 fed, predicting up to 4. By hand, and the same from get_rolling_token_windows(tokens, 99,
  // 4, 1) + make_disjoint_window in Python:
  //   10..16: ([99], [10 11 12 13]), ([12 13], [14 15 16])
  auto windows = rolling_windows({10, 11, 12, 13, 14, 15, 16}, 99, 4);
  REQUIRE(windows.size() == 2);
  CHECK(windows[0].context == std::vector<int64_t>({99}));
  CHECK(windows[0].continuation == std::vector<int64_t>({10, 11, 12, 13}));
  // The second predicts 14..16 given the 4 tokens before 16 minus its own: [12 13].
  CHECK(windows[1].context == std::vector<int64_t>({12, 13}));
  CHECK(windows[1].continuation == std::vector<int64_t>({14, 15, 16}));
  //   10..19: ([99], [10..13]), ([13], [14..17]), ([15 16 17], [18 19])
  auto three = rolling_windows({10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 99, 4);
  REQUIRE(three.size() == 3);
  CHECK(three[1].context == std::vector<int64_t>({13}));
  CHECK(three[1].continuation == std::vector<int64_t>({14, 15, 16, 17}));
  CHECK(three[2].context == std::vector<int64_t>({15, 16, 17}));
  CHECK(three[2].continuation == std::vector<int64_t>({18, 19}));
  // Exactly one window's worth: one pair; one token more: a second pair with a full context.
  auto full = rolling_windows({10, 11, 12, 13}, 99, 4);
  REQUIRE(full.size() == 1);
  CHECK(full[0].continuation == std::vector<int64_t>({10, 11, 12, 13}));
  auto over = rolling_windows({10, 11, 12, 13, 14}, 99, 4);
  REQUIRE(over.size() == 2);
  CHECK(over[1].context == std::vector<int64_t>({10, 11, 12, 13}));
  CHECK(over[1].continuation == std::vector<int64_t>({14}));
  // max_seq_len 3: ([99], [10 11 12]), ([12], [13 14 15]), ([13 14 15], [16]).
  auto small = rolling_windows({10, 11, 12, 13, 14, 15, 16}, 99, 3);
  REQUIRE(small.size() == 3);
  CHECK(small[1].context == std::vector<int64_t>({12}));
  CHECK(small[2].context == std::vector<int64_t>({13, 14, 15}));
  CHECK(small[2].continuation == std::vector<int64_t>({16}));
  auto one = rolling_windows({5, 6}, 99, 4);
  REQUIRE(one.size() == 1);
  CHECK(one[0].context == std::vector<int64_t>({99}));
  CHECK(one[0].continuation == std::vector<int64_t>({5, 6}));
  CHECK(rolling_windows({}, 99, 4).empty());
  for (const auto* pairs : {&windows, &three, &full, &over, &small})
    for (const auto& p : *pairs) CHECK(p.context.size() + p.continuation.size() <= 5);
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
  REQUIRE(int64_t(cut.context.size() + cut.continuation.size()) > window + 1);
  CHECK(got[2].tokens == int64_t(cut.continuation.size()));
  auto over = encode_pair(*f.tokenizer, requests[3].context, requests[3].continuation);
  REQUIRE(int64_t(over.continuation.size()) > window);
  CHECK(got[3].tokens == window);  // its last `window` tokens, as the harness's row of 65
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
      REQUIRE(w.context.size() + w.continuation.size() <= 17);  // 16 fed
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

TEST_CASE("loglikelihood_rolling at the model's window feeds n_positions tokens per row") {
  Fixture f;
  const int64_t n = f.model->config().n_positions;  // 64
  // Digits have no merges: one token per character, so the text is n + 1 tokens.
  std::string text;
  for (int64_t i = 0; i <= n; ++i) text += char('0' + i % 10);
  auto ids32 = f.tokenizer->encode(text);
  const std::vector<int64_t> ids(ids32.begin(), ids32.end());
  REQUIRE(int64_t(ids.size()) == n + 1);
  // The harness (max_length = n): [eot] + ids[0, n-1) fed, predicting ids[0, n); then ids[0, n)
  // fed, predicting ids[n]. By hand in float64, not through rolling_windows.
  at::NoGradGuard no_grad;
  std::vector<int64_t> first = {test::tiny_end_of_text()};
  first.insert(first.end(), ids.begin(), ids.begin() + (n - 1));
  REQUIRE(int64_t(first.size()) == n);
  auto lp1 =
      at::log_softmax(f.model64->forward(at::tensor(first, at::kLong).view({1, n})).logits[0],
                      -1);  // (n, V)
  double want = 0;
  for (int64_t t = 0; t < n; ++t) want += lp1[t][ids[t]].item<double>();
  const std::vector<int64_t> second(ids.begin(), ids.begin() + n);
  auto lp2 = at::log_softmax(
      f.model64->forward(at::tensor(second, at::kLong).view({1, n})).logits[0], -1);  // (n, V)
  want += lp2[n - 1][ids[n]].item<double>();
  LoglikelihoodOptions options;  // window 0: n_positions
  auto got = loglikelihood_rolling(*f.model, *f.tokenizer, {text}, options);
  CHECK(got[0].tokens == n + 1);
  CHECK(got[0].logprob == Approx(want).epsilon(1e-6));
  auto windows = rolling_windows(ids, test::tiny_end_of_text(), n);
  REQUIRE(windows.size() == 2);
  CHECK(windows[0].continuation.size() == size_t(n));
  CHECK(windows[1].context.size() == size_t(n));
}
