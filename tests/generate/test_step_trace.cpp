// Per-token traces: hand-computed values on a two-distribution fake model, and, for sampling
// and beams, every traced step recomputed from the fake model's logits with plain loops.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
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

GenerationOptions options_for_draft(GenerateConfig c, LogitsSource* draft) {
  GenerationOptions o{c, 3, -1, {}, {}};
  o.draft = draft;
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
  c.processor<BannedSequencesOptions>().token_ids = {
      "0"};  // greedy must take the model's second choice first
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
  c.processor<TopKOptions>().k = 2;
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
  c.processor<TopKOptions>().k = 3;
  c.processor<TemperatureOptions>().temperature =
      0.7;  // a warper: the trace still reads the model's own distribution
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

namespace {

// Predicts (last + 1) mod 4 with logit 5 against 0; `slip`: after a 2 it predicts 0 instead.
test::FunctionSource slipping_counter(bool slip) {
  return test::FunctionSource(4, 40, [slip](const std::vector<int64_t>& t) {
    std::vector<float> logits(4, 0.f);
    const int64_t next = slip && t.back() == 2 ? 0 : (t.back() + 1) % 4;
    logits[static_cast<size_t>(next)] = 5;
    return logits;
  });
}

// Each block's accepted drafts and the model's token, concatenated, are the sequence (the
// last block may be cut where the sequence stopped).
void check_blocks_spell_tokens(const GenerationResult& r) {
  std::vector<int64_t> spelled;
  int64_t accepted = 0, drafted = 0;
  for (const auto& b : r.draft_blocks) {
    REQUIRE(b.accepted <= static_cast<int64_t>(b.draft.size()));
    spelled.insert(spelled.end(), b.draft.begin(), b.draft.begin() + b.accepted);
    spelled.push_back(b.token);
    accepted += b.accepted;
    drafted += static_cast<int64_t>(b.draft.size());
  }
  REQUIRE(spelled.size() >= r.tokens.size());
  CHECK(std::vector<int64_t>(spelled.begin(),
                             spelled.begin() + static_cast<long>(r.tokens.size())) == r.tokens);
  CHECK(static_cast<int64_t>(r.draft_blocks.size()) == r.target_passes);
  CHECK(accepted == r.accepted);
  CHECK(drafted == r.drafted);
}

}  // namespace

TEST_CASE("trace: speculative greedy blocks and per-token rows by hand", "[speculative]") {
  auto target = slipping_counter(false), draft = slipping_counter(true);
  GenerateConfig c;
  c.max_new_tokens = 6;
  c.draft_model = "fake";
  c.num_draft_tokens = 3;
  auto o = traced(c);
  o.draft = &draft;
  auto r = generate(target, {{0}}, o)[0][0];
  // The model counts 1 2 3 0 1 2. Block 1: the draft proposes 1 2 0 (it slips after the 2),
  // the model accepts 1 2 and gives its own 3. Block 2: from 0 1 2 3 the draft proposes 0 1 2,
  // all accepted, and the model's 3 after them is past max_new_tokens.
  REQUIRE(r.tokens == std::vector<int64_t>{1, 2, 3, 0, 1, 2});
  REQUIRE(r.draft_blocks.size() == 2);
  CHECK(r.draft_blocks[0].draft == std::vector<int64_t>({1, 2, 0}));
  CHECK(r.draft_blocks[0].accepted == 2);
  CHECK(r.draft_blocks[0].token == 3);
  CHECK(r.draft_blocks[1].draft == std::vector<int64_t>({0, 1, 2}));
  CHECK(r.draft_blocks[1].accepted == 3);
  CHECK(r.draft_blocks[1].token == 3);
  check_blocks_spell_tokens(r);
  // Every token is the model's first choice, p = e^5 / (e^5 + 3) = 0.980187 >= 0.9 alone;
  // H = -(p ln p + 3 q ln q) = 0.119079 with q = 1 / (e^5 + 3) = 0.006604.
  const double p = std::exp(5.0) / (std::exp(5.0) + 3), q = 1 / (std::exp(5.0) + 3);
  REQUIRE(r.trace.size() == 6);
  for (const auto& t : r.trace) {
    CHECK(t.probability == Approx(0.980187).epsilon(1e-5));
    CHECK(t.entropy == Approx(-(p * std::log(p) + 3 * q * std::log(q))).epsilon(1e-5));
    CHECK(t.entropy == Approx(0.119079).epsilon(1e-4));
    CHECK(t.rank == 0);
    CHECK(t.nucleus == 1);
    CHECK(t.kept == 4);
  }
  auto line = nlohmann::json::parse(trace_json_lines(0, {r}));
  CHECK(line["blocks"][0]["draft"] == nlohmann::json::array({1, 2, 0}));
  CHECK(line["blocks"][0]["accepted"] == 2);
  CHECK(line["blocks"][1]["token"] == 3);
  CHECK(line["entropy"].size() == 6);
  CHECK_FALSE(line.contains("candidates"));

  // Prompt lookup from 0 1 2 3 0: the 1-gram 0 was followed by 1 2 3; the model agrees.
  GenerateConfig lookup;
  lookup.max_new_tokens = 3;
  lookup.prompt_lookup_ngram = 1;
  lookup.num_draft_tokens = 4;
  auto l = generate(target, {{0, 1, 2, 3, 0}}, traced(lookup))[0][0];
  REQUIRE(l.draft_blocks.size() == 1);
  CHECK(l.draft_blocks[0].draft == std::vector<int64_t>({1, 2}));  // the last token is the model's
  CHECK(l.draft_blocks[0].accepted == 2);
  CHECK(l.draft_blocks[0].token == 3);
  CHECK(l.trace.size() == 3);
  // Off: no blocks.
  CHECK(generate(target, {{0}}, options_for_draft(c, &draft))[0][0].draft_blocks.empty());
}

TEST_CASE("trace: speculative sampling rows match the model's logits, blocks spell the tokens",
          "[speculative]") {
  const int64_t vocab = 7;
  auto target = test::FunctionSource(
      vocab, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 7); });
  auto draft = test::FunctionSource(vocab, 64, [](const std::vector<int64_t>& t) {
    auto logits = test::wiggly_logits(t, 7);
    logits[t.size() % 7] += 1.5f;  // close to the model, not equal
    return logits;
  });
  const std::vector<std::vector<int64_t>> prompts = {{3, 1, 4}, {2}};
  GenerateConfig c;
  c.strategy = "top_k";
  c.processor<TopKOptions>().k = 3;
  c.max_new_tokens = 9;
  c.num_return_sequences = 2;
  c.draft_model = "fake";
  c.num_draft_tokens = 3;
  auto o = traced(c);
  o.draft = &draft;
  const auto results = generate(target, prompts, o);
  int64_t accepted = 0, rejected = 0;
  for (size_t p = 0; p < prompts.size(); ++p)
    for (const auto& r : results[p]) {
      check_against_model(prompts[p], r, vocab, 3);
      check_blocks_spell_tokens(r);
      accepted += r.accepted;
      rejected += r.drafted - r.accepted;
    }
  CHECK(accepted > 0);  // both branches of the rule were traced
  CHECK(rejected > 0);
}
