// generate.output_scores_top_k: each step's K best processed log-probabilities, by hand on a
// 4-token model for sampling and beam search, the JSONL form, and the other strategies
// against plain greedy.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/jsonl_io.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
#include "generate/top_logprobs.h"

using namespace gpt2;

namespace {

// After token 1: p = (0.4, 0.3, 0.2, 0.1); otherwise p = (0.5, 0.3, 0.12, 0.08).
test::FunctionSource four_tokens() {
  return test::FunctionSource(4, 32, [](const std::vector<int64_t>& t) {
    if (t.back() == 1)
      return std::vector<float>{std::log(0.4f), std::log(0.3f), std::log(0.2f), std::log(0.1f)};
    return std::vector<float>{std::log(0.5f), std::log(0.3f), std::log(0.12f), std::log(0.08f)};
  });
}

void check_top(const TopLogprobs& top, const std::vector<int64_t>& ids,
               const std::vector<double>& logprobs) {
  CHECK(top.ids == ids);
  REQUIRE(top.logprobs.size() == logprobs.size());
  for (size_t i = 0; i < logprobs.size(); ++i)
    CHECK(top.logprobs[i] == Approx(logprobs[i]).margin(1e-5));
}

}  // namespace

TEST_CASE("top log-probs: best first, ties by id, removed tokens left out") {
  const float inf = INFINITY;
  const std::vector<float> scores = {1.f, 3.f, -inf, 3.f, 2.f};
  auto top = top_logprobs(scores.data(), 5, 0.5f, 3);
  CHECK(top.ids == std::vector<int64_t>({1, 3, 4}));  // 1 and 3 tie: the lower id first
  CHECK(top.logprobs == std::vector<float>({2.5f, 2.5f, 1.5f}));
  // Asked for more than there are finite scores: the 4 finite ones.
  CHECK(top_logprobs(scores.data(), 5, 0, 9).ids == std::vector<int64_t>({1, 3, 4, 0}));
  CHECK(top_logprobs(scores.data(), 5, 0, 0).ids.empty());
}

TEST_CASE("top log-probs of sampling: log-softmax of the warped logits, by hand") {
  auto model = four_tokens();
  GenerateConfig c;
  c.strategy = "top_k";
  c.processor<TopKOptions>().k = 3;
  c.processor<TemperatureOptions>().temperature = 0.5;
  c.max_new_tokens = 1;
  c.num_return_sequences = 6;
  c.output_scores_top_k = 2;
  // Temperature 0.5 squares the probabilities; top-k 3 drops token 3: the processed
  // distribution is (0.25, 0.09, 0.0144) / 0.3544, so the best two are
  // ln(0.25 / 0.3544) = -0.348965 and ln(0.09 / 0.3544) = -1.370617.
  const auto samples = generate(model, {{2}}, {c, 5, -1, {}, {}});
  for (const auto& r : samples[0]) {
    REQUIRE(r.top_logprobs.size() == 1);
    check_top(r.top_logprobs[0], {0, 1}, {-0.348965, -1.370617});
    // Beside it, the transition score: the chosen token's processed logit, 2 ln p.
    const double p[] = {0.5, 0.3, 0.12};
    REQUIRE(r.tokens[0] < 3);
    CHECK(r.transition_scores[0] ==
          Approx(2 * std::log(p[static_cast<size_t>(r.tokens[0])])).margin(1e-5));
  }
  // K above the kept set: the three tokens top-k keeps, ln(0.0144 / 0.3544) = -3.203198 last.
  c.output_scores_top_k = 4;
  c.num_return_sequences = 1;
  auto r = generate(model, {{2}}, {c, 5, -1, {}, {}})[0][0];
  check_top(r.top_logprobs[0], {0, 1, 2}, {-0.348965, -1.370617, -3.203198});
  // Off by default.
  c.output_scores_top_k = 0;
  CHECK(generate(model, {{2}}, {c, 5, -1, {}, {}})[0][0].top_logprobs.empty());
}

TEST_CASE("top log-probs of beam search follow each sequence's own beams, by hand") {
  auto model = four_tokens();
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 3;
  c.num_return_sequences = 3;
  c.max_new_tokens = 2;
  c.output_scores_top_k = 2;
  // Step 1 from the prompt: 0 (0.5), 1 (0.3), 2 (0.12). Step 2: 0 0 = 0.25, 0 1 = 0.15,
  // 1 0 = 0.3 * 0.4 = 0.12 beat 0 2 = 0.06 and 2 0 = 0.06.
  auto results = generate(model, {{2}}, {c, 0, -1, {}, {}})[0];
  REQUIRE(results.size() == 3);
  CHECK(results[0].tokens == std::vector<int64_t>({0, 0}));
  CHECK(results[1].tokens == std::vector<int64_t>({0, 1}));
  CHECK(results[2].tokens == std::vector<int64_t>({1, 0}));
  for (const auto& r : results) {
    REQUIRE(r.top_logprobs.size() == 2);
    check_top(r.top_logprobs[0], {0, 1}, {std::log(0.5), std::log(0.3)});
  }
  // The second step's row is the beam the sequence extends: after 0, or after 1.
  check_top(results[0].top_logprobs[1], {0, 1}, {std::log(0.5), std::log(0.3)});
  check_top(results[1].top_logprobs[1], {0, 1}, {std::log(0.5), std::log(0.3)});
  check_top(results[2].top_logprobs[1], {0, 1}, {std::log(0.4), std::log(0.3)});
  // The transition scores are the chosen entries of those rows.
  CHECK(results[2].transition_scores[0] == Approx(std::log(0.3)).margin(1e-6));
  CHECK(results[2].transition_scores[1] == Approx(std::log(0.4)).margin(1e-6));
}

TEST_CASE("top log-probs in the results JSONL, one entry per token") {
  GenerationResult r{{1, 0}, {-1.2f, -0.9f}, "", StopReason::length, -2.1};
  r.transition_scores = {-1.2f, -0.9f};
  r.top_logprobs = {{{0, 1}, {-0.5f, -1.2f}}, {{0, 2}, {-0.9f, -1.5f}}};
  auto line = nlohmann::json::parse(result_json_line({"x", "{\"prompt\": \"x\"}"}, {r}, true));
  const auto& completion = line["completions"][0];
  REQUIRE(completion["top_logprobs"].size() == 2);
  CHECK(completion["top_logprobs"][0]["ids"] == nlohmann::json::array({0, 1}));
  CHECK(completion["top_logprobs"][1]["logprobs"][1].get<double>() == Approx(-1.5));
  CHECK(completion["transition_scores"].size() == 2);
  r.top_logprobs.clear();
  CHECK_FALSE(nlohmann::json::parse(
                  result_json_line({"x", "{\"prompt\": \"x\"}"}, {r}, true))["completions"][0]
                  .contains("top_logprobs"));
}

TEST_CASE("top log-probs of speculative greedy are greedy's") {
  const int64_t vocab = 7;
  test::FunctionSource target(
      vocab, 40, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, vocab); });
  test::FunctionSource draft(vocab, 40, [](const std::vector<int64_t>& t) {
    auto logits = test::wiggly_logits(t, vocab);
    logits[t.size() % 7] += 3;
    return logits;
  });
  GenerateConfig c;
  c.max_new_tokens = 12;
  c.output_scores_top_k = 3;
  c.processor<RepetitionPenaltyOptions>().penalty = 1.3;
  const auto want = generate(target, {{1, 2, 3}, {4}}, {c, 0, -1, {}, {}});
  c.draft_model = "fake";
  c.num_draft_tokens = 3;
  GenerationOptions o{c, 0, -1, {}, {}};
  o.draft = &draft;
  const auto got = generate(target, {{1, 2, 3}, {4}}, o);
  for (size_t p = 0; p < 2; ++p) {
    INFO("prompt " << p);
    const auto& g = got[p][0];
    const auto& w = want[p][0];
    REQUIRE(g.tokens == w.tokens);
    CHECK(g.accepted > 0);
    REQUIRE(g.top_logprobs.size() == w.top_logprobs.size());
    for (size_t i = 0; i < w.top_logprobs.size(); ++i) {
      INFO("step " << i);
      CHECK(g.top_logprobs[i].ids == w.top_logprobs[i].ids);
      for (size_t j = 0; j < 3; ++j)
        CHECK(g.top_logprobs[i].logprobs[j] == Approx(w.top_logprobs[i].logprobs[j]).margin(1e-5));
      CHECK(g.transition_scores[i] == Approx(w.transition_scores[i]).margin(1e-5));
      // Greedy: the chosen token is the best entry.
      CHECK(w.top_logprobs[i].ids[0] == w.tokens[i]);
    }
  }
}

TEST_CASE("top log-probs of diverse and stochastic beams are their own prefixes' rows") {
  const int64_t vocab = 7;
  test::FunctionSource model(
      vocab, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, vocab); });
  const std::vector<int64_t> prompt = {3, 1, 4};
  GenerateConfig group;
  group.strategy = "group_beam";
  group.num_beams = 4;
  group.num_beam_groups = 2;
  group.diversity_penalty = 0.5;
  group.num_return_sequences = 4;
  group.max_new_tokens = 4;
  group.output_scores_top_k = 3;
  GenerateConfig stochastic = group;
  stochastic.strategy = "stochastic_beam";
  stochastic.num_beam_groups = 1;
  stochastic.diversity_penalty = 0;
  for (const auto& c : {group, stochastic}) {
    INFO(c.strategy);
    const auto results = generate(model, {prompt}, {c, 9, -1, {}, {}});
    REQUIRE(results[0].size() == 4);
    for (const auto& r : results[0]) {
      REQUIRE(r.top_logprobs.size() == r.tokens.size());
      std::vector<int64_t> history = prompt;
      for (size_t i = 0; i < r.tokens.size(); ++i) {
        // No processors: the row is log_softmax of the model's logits after the prefix.
        auto logits = test::wiggly_logits(history, vocab);
        double norm = 0;
        for (float x : logits) norm += std::exp(double(x));
        auto want = top_logprobs(logits.data(), vocab, float(std::log(norm)), 3);
        INFO("step " << i);
        CHECK(r.top_logprobs[i].ids == want.ids);
        for (size_t j = 0; j < want.logprobs.size(); ++j)
          CHECK(r.top_logprobs[i].logprobs[j] == Approx(want.logprobs[j]).margin(1e-5));
        history.push_back(r.tokens[i]);
      }
    }
  }
}
