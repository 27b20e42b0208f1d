// Per-token traces: hand-computed values on a two-distribution fake model, and, for sampling
// and beams, every traced step recomputed from the fake model's logits with plain loops.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/step_trace.h"

using namespace gpt2;

namespace {

// After token 1 every token is equally likely; otherwise p = (0.5, 0.3, 0.12, 0.08).
test::FunctionSource two_distributions() {
  return test::FunctionSource(4, 32, [](const std::vector<int64_t>& t) {
    if (t.back() == 1) return std::vector<float>(4, 0.f);
    return std::vector<float>{std::log(0.5f), std::log(0.3f), std::log(0.12f), std::log(0.08f)};
  });
}

GenerationOptions traced(GenerateConfig c) {
  GenerationOptions o{c, 3, -1, {}, {}};
  o.trace = true;
  return o;
}

// The trace of choosing `token` after `history`, from the model's logits by plain loops.
TokenTrace reference(const std::vector<float>& logits, int64_t token) {
  double top = *std::max_element(logits.begin(), logits.end()), sum = 0;
  for (float x : logits) sum += std::exp(x - top);
  std::vector<double> p;
  for (float x : logits) p.push_back(std::exp(x - top) / sum);
  TokenTrace t;
  for (double q : p) t.entropy -= q > 0 ? q * std::log(q) : 0;
  std::vector<double> sorted = p;
  std::sort(sorted.rbegin(), sorted.rend());
  double mass = 0;
  while (mass < 0.9) mass += sorted[static_cast<size_t>(t.nucleus++)];
  for (double q : p) t.rank += q > p[static_cast<size_t>(token)] ? 1 : 0;
  t.probability = p[static_cast<size_t>(token)];
  return t;
}

void check_against_model(const std::vector<int64_t>& prompt, const GenerationResult& r,
                         int64_t vocab, int64_t kept) {
  REQUIRE(r.trace.size() == r.tokens.size());
  std::vector<int64_t> history = prompt;
  for (size_t i = 0; i < r.tokens.size(); ++i) {
    INFO("step " << i);
    auto want = reference(test::wiggly_logits(history, vocab), r.tokens[i]);
    CHECK(r.trace[i].entropy == Approx(want.entropy).epsilon(1e-5));
    CHECK(r.trace[i].nucleus == want.nucleus);
    CHECK(r.trace[i].rank == want.rank);
    CHECK(r.trace[i].probability == Approx(want.probability).epsilon(1e-5));
    CHECK(r.trace[i].kept == kept);
    history.push_back(r.tokens[i]);
  }
}

}  // namespace

TEST_CASE("trace: entropy, kept set, nucleus, rank and probability by hand") {
  GenerateConfig c;
  c.banned_token_ids = {"0"};  // greedy must take the model's second choice first
  c.max_new_tokens = 2;
  auto model = two_distributions();
  auto r = generate(model, {{2}}, traced(c))[0][0];
  REQUIRE(r.tokens == std::vector<int64_t>{1, 1});
  REQUIRE(r.trace.size() == 2);
  // Step 1: H = -(0.5 ln 0.5 + 0.3 ln 0.3 + 0.12 ln 0.12 + 0.08 ln 0.08) = 1.1642553;
  // 0.5 + 0.3 + 0.12 = 0.92 >= 0.9 is the nucleus; 0 is banned, so 3 tokens are kept; token 1
  // is the model's second (rank 1) with probability 0.3.
  CHECK(r.trace[0].entropy == Approx(1.1642553).epsilon(1e-6));
  CHECK(r.trace[0].nucleus == 3);
  CHECK(r.trace[0].kept == 3);
  CHECK(r.trace[0].rank == 1);
  CHECK(r.trace[0].probability == Approx(0.3).epsilon(1e-6));
  // Step 2: uniform over 4: H = ln 4, the nucleus needs all 4 (0.75 < 0.9), ties rank 0.
  CHECK(r.trace[1].entropy == Approx(std::log(4.0)).epsilon(1e-6));
  CHECK(r.trace[1].nucleus == 4);
  CHECK(r.trace[1].kept == 3);
  CHECK(r.trace[1].rank == 0);
  CHECK(r.trace[1].probability == Approx(0.25).epsilon(1e-6));

  // Off by default: no traces.
  auto plain = generate(model, {{2}}, {c, 3, -1, {}, {}})[0][0];
  CHECK(plain.trace.empty());
}

TEST_CASE("trace: the kept set is what the warpers leave, ranks are the model's") {
  GenerateConfig c;
  c.strategy = "top_k";
  c.top_k = 2;
  c.max_new_tokens = 1;
  c.num_return_sequences = 8;
  auto model = two_distributions();
  const auto results = generate(model, {{2}}, traced(c));
  for (const auto& r : results[0]) {
    REQUIRE(r.trace.size() == 1);
    CHECK(r.trace[0].kept == 2);
    REQUIRE(r.tokens[0] < 2);
    CHECK(r.trace[0].rank == r.tokens[0]);
    CHECK(r.trace[0].probability == Approx(r.tokens[0] == 0 ? 0.5 : 0.3).epsilon(1e-6));
  }
}

TEST_CASE("trace: every step of sampled and beam sequences matches the model's logits") {
  const int64_t vocab = 7;
  auto model = test::FunctionSource(
      vocab, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 7); });
  const std::vector<int64_t> prompt = {3, 1, 4};
  GenerateConfig c;
  c.strategy = "top_k";
  c.top_k = 3;
  c.temperature = 0.7;  // a warper: the trace still reads the model's own distribution
  c.max_new_tokens = 6;
  c.num_return_sequences = 3;
  const auto sampled = generate(model, {prompt}, traced(c));
  for (const auto& r : sampled[0]) check_against_model(prompt, r, vocab, 3);

  GenerateConfig beam;
  beam.strategy = "beam";
  beam.num_beams = 4;
  beam.num_return_sequences = 4;
  beam.max_new_tokens = 5;
  auto results = generate(model, {prompt}, traced(beam))[0];
  REQUIRE(results.size() == 4);
  for (const auto& r : results) check_against_model(prompt, r, vocab, vocab);
}

TEST_CASE("trace: JSONL has one line per sequence with one entry per token") {
  GenerationResult r;
  r.tokens = {5, 6};
  r.trace = {{1.5, 10, 3, 0, 0.5}, {0.25, 2, 1, 12, 0.125}};
  auto text = trace_json_lines(4, {r});
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 1);
  auto line = nlohmann::json::parse(text);
  CHECK(line["prompt"] == 4);
  CHECK(line["sequence"] == 0);
  CHECK(line["tokens"] == nlohmann::json::array({5, 6}));
  CHECK(line["entropy"] == nlohmann::json::array({1.5, 0.25}));
  CHECK(line["kept"] == nlohmann::json::array({10, 2}));
  CHECK(line["nucleus"] == nlohmann::json::array({3, 1}));
  CHECK(line["rank"] == nlohmann::json::array({0, 12}));
  CHECK(line["probability"] == nlohmann::json::array({0.5, 0.125}));
}
