// Beam search against exhaustive search on a tiny vocabulary, diverse beam search, and
// stochastic beam search's sampling property.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/processors/repetition_penalty.h"

using namespace gpt2;

namespace {

constexpr int64_t kVocab = 4, kEos = 3;

std::vector<double> log_softmax(const std::vector<float>& logits) {
  double top = *std::max_element(logits.begin(), logits.end()), sum = 0;
  for (float x : logits) sum += std::exp(x - top);
  std::vector<double> out;
  for (float x : logits) out.push_back(x - top - std::log(sum));
  return out;
}

struct Scored {
  std::vector<int64_t> tokens;
  double score;
};

// Token i is the letter 'a' + i, for stop strings.
// Every sequence that ends in end-of-text, in a generated text containing `stop` (when not
// empty) or at max_new tokens, scored as beam search scores them: sum of log-probabilities /
// (generated length)^penalty.
void enumerate(const std::vector<int64_t>& prompt, std::vector<int64_t>& generated, double sum,
               int64_t max_new, double penalty, std::vector<Scored>& out,
               const std::string& stop = "") {
  std::vector<int64_t> history = prompt;
  history.insert(history.end(), generated.begin(), generated.end());
  auto logp = log_softmax(test::wiggly_logits(history, kVocab));
  for (int64_t v = 0; v < kVocab; ++v) {
    generated.push_back(v);
    double s = sum + logp[static_cast<size_t>(v)];
    auto length = static_cast<double>(generated.size());
    const bool stopped = !stop.empty() && test::letters(generated).find(stop) != std::string::npos;
    if (v == kEos || stopped || static_cast<int64_t>(generated.size()) == max_new)
      out.push_back({generated, s / std::pow(length, penalty)});
    else
      enumerate(prompt, generated, s, max_new, penalty, out, stop);
    generated.pop_back();
  }
}

}  // namespace

TEST_CASE("beam search as wide as the search space equals exhaustive search") {
  const int64_t max_new = 3;
  const std::vector<int64_t> prompt = {2, 0, 1};
  for (double penalty : {0.0, 1.0, 2.0, -0.5}) {
    for (const char* early : {"never", "false", "true"}) {
      INFO("length_penalty " << penalty << " early_stopping " << early);
      std::vector<Scored> all;
      std::vector<int64_t> generated;
      enumerate(prompt, generated, 0, max_new, penalty, all);
      REQUIRE(all.size() == 1 + 3 + 9 + 27);
      std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.score > b.score; });

      GenerateConfig c;
      c.strategy = "beam";
      c.num_beams = 40;
      c.num_return_sequences = 6;
      c.length_penalty = penalty;
      c.early_stopping = early;
      c.max_new_tokens = max_new;
      auto model = test::wiggly(kVocab);
      auto results = generate(model, {prompt}, {c, 0, kEos, {}, {}});
      REQUIRE(results[0].size() == 6);
      for (size_t i = 0; i < 6; ++i) {
        CHECK(results[0][i].tokens == all[i].tokens);
        CHECK(results[0][i].score == Approx(all[i].score).epsilon(1e-5));
        const bool ends_in_eos = all[i].tokens.back() == kEos;
        CHECK(results[0][i].reason == (ends_in_eos ? StopReason::stop_token : StopReason::length));
      }
    }
  }
}

TEST_CASE("beam search ends hypotheses at a stop string spanning tokens, as exhaustive search") {
  // "ca" = token 2 then token 0: a beam ends when its generated text contains it.
  const std::vector<int64_t> prompt = {2, 0, 1};
  std::vector<Scored> all;
  std::vector<int64_t> generated;
  enumerate(prompt, generated, 0, 4, 1.0, all, "ca");
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.score > b.score; });
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 64;
  c.num_return_sequences = 8;
  c.max_new_tokens = 4;
  c.early_stopping = "never";
  c.stop_strings = {"ca"};
  auto model = test::wiggly(kVocab);
  auto results = generate(model, {prompt}, {c, 0, kEos, {}, test::letters});
  REQUIRE(results[0].size() == 8);
  int stopped_by_string = 0;
  for (size_t i = 0; i < 8; ++i) {
    INFO("rank " << i << ": " << test::letters(all[i].tokens));
    CHECK(results[0][i].tokens == all[i].tokens);
    CHECK(results[0][i].score == Approx(all[i].score).epsilon(1e-5));
    const bool has_stop = test::letters(all[i].tokens).find("ca") != std::string::npos;
    if (has_stop) {
      CHECK(results[0][i].reason == StopReason::stop_string);
      ++stopped_by_string;
    }
  }
  CHECK(stopped_by_string > 0);  // the case is exercised
}

TEST_CASE("beam search with one beam is greedy search; logprobs add up to the score") {
  GenerateConfig beam;
  beam.strategy = "beam";
  beam.max_new_tokens = 6;
  beam.length_penalty = 0;
  GenerateConfig greedy;
  greedy.max_new_tokens = 6;
  auto model = test::wiggly(5);
  auto b = generate(model, {{1, 2}}, {beam, 0, -1, {}, {}});
  auto g = generate(model, {{1, 2}}, {greedy, 0, -1, {}, {}});
  CHECK(b[0][0].tokens == g[0][0].tokens);
  double sum = 0;
  for (float x : b[0][0].logprobs) sum += x;
  CHECK(b[0][0].score == Approx(sum));
  CHECK(g[0][0].score == Approx(sum));
}

TEST_CASE("beam search: a prompt's beams do not depend on its batch") {
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 3;
  c.num_return_sequences = 2;
  c.max_new_tokens = 5;
  auto model = test::wiggly(6);
  std::vector<std::vector<int64_t>> prompts = {{1}, {2, 3, 4}, {0, 5}};
  c.batch_size = 3;
  auto together = generate(model, prompts, {c, 0, 5, {}, {}});
  c.batch_size = 1;
  auto alone = generate(model, prompts, {c, 0, 5, {}, {}});
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t i = 0; i < 2; ++i) {
      CHECK(together[p][i].tokens == alone[p][i].tokens);
      CHECK(together[p][i].score == Approx(alone[p][i].score));
    }
}

TEST_CASE("group beam search: a large diversity penalty makes the groups start differently") {
  GenerateConfig c;
  c.strategy = "group_beam";
  c.num_beams = 2;
  c.num_beam_groups = 2;
  c.num_return_sequences = 2;
  c.max_new_tokens = 4;
  c.length_penalty = 0;
  GenerateConfig greedy;
  greedy.max_new_tokens = 4;
  auto model = test::wiggly(5);
  auto g = generate(model, {{3}}, {greedy, 0, -1, {}, {}})[0][0];

  // No penalty: each one-beam group is greedy search.
  auto same = generate(model, {{3}}, {c, 0, -1, {}, {}})[0];
  CHECK(same[0].tokens == g.tokens);
  CHECK(same[1].tokens == g.tokens);

  c.diversity_penalty = 100;
  auto diverse = generate(model, {{3}}, {c, 0, -1, {}, {}})[0];
  // The first group is unpenalised (greedy); the second never picks the token the first
  // picked at the same step.
  const auto& first = diverse[0].tokens == g.tokens ? diverse[0] : diverse[1];
  const auto& second = diverse[0].tokens == g.tokens ? diverse[1] : diverse[0];
  CHECK(first.tokens == g.tokens);
  for (size_t i = 0; i < g.tokens.size(); ++i) CHECK(second.tokens[i] != g.tokens[i]);
  CHECK(diverse[0].score >= diverse[1].score);
}

TEST_CASE("stochastic beam search: the top sequence is an exact sample, all K are distinct") {
  const int64_t vocab = 3;
  auto model = test::wiggly(vocab);
  // Exact sequence probabilities of the 9 two-token continuations of [1].
  std::map<std::vector<int64_t>, double> exact;
  auto first = log_softmax(test::wiggly_logits({1}, vocab));
  for (int64_t a = 0; a < vocab; ++a) {
    auto second = log_softmax(test::wiggly_logits({1, a}, vocab));
    for (int64_t b = 0; b < vocab; ++b)
      exact[{a, b}] = first[static_cast<size_t>(a)] + second[static_cast<size_t>(b)];
  }
  GenerateConfig c;
  c.strategy = "stochastic_beam";
  c.max_new_tokens = 2;
  c.batch_size = 256;

  for (int64_t beams : {1, 3}) {
    INFO("num_beams " << beams);
    c.num_beams = beams;
    c.num_return_sequences = beams;
    const int n = 4000;
    std::vector<std::vector<int64_t>> prompts(n, std::vector<int64_t>{1});
    auto results = generate(model, prompts, {c, 5, -1, {}, {}});
    std::map<std::vector<int64_t>, double> counts;
    for (const auto& r : results) {
      counts[r[0].tokens] += 1;
      CHECK(r[0].score == Approx(exact[r[0].tokens]).epsilon(1e-5));
      for (size_t i = 1; i < r.size(); ++i) CHECK(r[i].tokens != r[0].tokens);
    }
    double chi2 = 0;
    for (const auto& [tokens, logp] : exact) {
      double e = std::exp(logp) * n;
      chi2 += (counts[tokens] - e) * (counts[tokens] - e) / e;
    }
    CHECK(chi2 < 26.124);  // chi-square, 8 degrees of freedom, 0.1%
  }

  // As many beams as sequences: every sequence once, with its exact log-probability.
  c.num_beams = 9;
  c.num_return_sequences = 9;
  auto all = generate(model, {{1}}, {c, 5, -1, {}, {}})[0];
  REQUIRE(all.size() == 9);
  std::map<std::vector<int64_t>, double> seen;
  for (const auto& r : all) seen[r.tokens] = r.score;
  REQUIRE(seen.size() == 9);
  for (const auto& [tokens, logp] : exact) CHECK(seen[tokens] == Approx(logp).epsilon(1e-5));
}

TEST_CASE("beam search: processors edit log-probabilities, summed unnormalised (as HF)") {
  // One beam with repetition_penalty 2: each step Hugging Face log-softmaxes the logits, then
  // multiplies the seen tokens' log-probabilities by 2 and takes the best; the beam's score is
  // the sum of those processed values, not renormalised.
  GenerateConfig c;
  c.strategy = "beam";
  c.max_new_tokens = 5;
  c.length_penalty = 0;
  c.processor<RepetitionPenaltyOptions>().penalty = 2;
  auto model = test::wiggly(5);
  auto result = generate(model, {{1, 2}}, {c, 0, -1, {}, {}})[0][0];

  std::vector<int64_t> history = {1, 2};
  std::vector<int64_t> tokens;
  std::vector<double> scores;
  double sum = 0;
  for (int step = 0; step < 5; ++step) {
    std::vector<double> processed = log_softmax(test::wiggly_logits(history, 5));
    for (int64_t v = 0; v < 5; ++v)
      if (std::find(history.begin(), history.end(), v) != history.end())
        processed[static_cast<size_t>(v)] *= 2;
    const auto best = std::max_element(processed.begin(), processed.end()) - processed.begin();
    tokens.push_back(best);
    scores.push_back(processed[static_cast<size_t>(best)]);
    sum += processed[static_cast<size_t>(best)];
    history.push_back(best);
  }
  CHECK(result.tokens == tokens);
  REQUIRE(result.transition_scores.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(result.logprobs[i] == Approx(scores[i]).epsilon(1e-5));
    CHECK(result.transition_scores[i] == result.logprobs[i]);
  }
  CHECK(result.score == Approx(sum).epsilon(1e-5));
}

TEST_CASE("beam search: transition scores sum to the score times length^length_penalty") {
  // Hugging Face's test of compute_transition_scores for beams: sum / length^lp = score.
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 3;
  c.num_return_sequences = 3;
  c.max_new_tokens = 6;
  c.length_penalty = 1.5;
  c.early_stopping = "never";
  auto model = test::wiggly(6);
  auto results = generate(model, {{1, 4}, {2}}, {c, 0, 5, {}, {}});
  for (const auto& prompt : results) {
    REQUIRE(prompt.size() == 3);
    for (const auto& r : prompt) {
      REQUIRE(r.transition_scores.size() == r.tokens.size());
      double sum = 0;
      for (float s : r.transition_scores) sum += s;
      CHECK(sum / std::pow(static_cast<double>(r.tokens.size()), 1.5) ==
            Approx(r.score).epsilon(1e-5));
    }
  }
}

namespace {

// A 3-token model (0, 1 and end-of-text 2) whose next-token probabilities are a table by
// history, so beam search can be followed by hand.
test::FunctionSource table_model(std::map<std::vector<int64_t>, std::vector<float>> table) {
  return test::FunctionSource(3, 64, [table](const std::vector<int64_t>& t) {
    auto it = table.find(t);
    std::vector<float> p = it == table.end() ? std::vector<float>{0.5f, 0.3f, 0.2f} : it->second;
    for (auto& x : p) x = std::log(x);
    return p;
  });
}

}  // namespace

TEST_CASE("beam search early_stopping: true stops at num_beams finished, false goes on") {
  // Two beams, length_penalty 0 (scores are sums). Step 1 from [0]: end (ln .6 = -0.511)
  // finishes A; 1 (-1.204) and 0 (-2.303) go on. Step 2: [1 0] = -1.802 leads, [1 end] =
  // -2.120 is second, within the top num_beams, so it finishes B: two finished.
  // true stops: A, B. false: the best running beam (-1.802) beats the worst finished (-2.120),
  // so it goes on; step 3: [1 0 end] = -1.802 + ln .9 = -1.907 finishes C and replaces B; the
  // best running beam [0 0 0] = -3.689 cannot beat -1.907: done with A, C. never with
  // length_penalty 0 uses the current length too (Hugging Face), so it equals false.
  auto model = table_model({{{0}, {0.1f, 0.3f, 0.6f}},
                            {{0, 1}, {0.55f, 0.05f, 0.4f}},
                            {{0, 0}, {0.5f, 0.3f, 0.2f}},
                            {{0, 1, 0}, {0.06f, 0.04f, 0.9f}}});
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 2;
  c.num_return_sequences = 2;
  c.length_penalty = 0;
  c.max_new_tokens = 5;
  c.early_stopping = "true";
  auto stopped = generate(model, {{0}}, {c, 0, 2, {}, {}})[0];
  REQUIRE(stopped.size() == 2);
  CHECK(stopped[0].tokens == std::vector<int64_t>{2});
  CHECK(stopped[0].score == Approx(std::log(0.6)));
  CHECK(stopped[1].tokens == std::vector<int64_t>{1, 2});
  CHECK(stopped[1].score == Approx(std::log(0.3) + std::log(0.4)));
  for (const char* mode : {"false", "never"}) {
    INFO("early_stopping " << mode);
    c.early_stopping = mode;
    auto went_on = generate(model, {{0}}, {c, 0, 2, {}, {}})[0];
    REQUIRE(went_on.size() == 2);
    CHECK(went_on[0].tokens == std::vector<int64_t>{2});
    CHECK(went_on[1].tokens == std::vector<int64_t>{1, 0, 2});
    CHECK(went_on[1].score == Approx(std::log(0.3) + std::log(0.55) + std::log(0.9)));
  }
}

TEST_CASE("beam search early_stopping never: a running beam is judged at its longest length") {
  // One beam, length_penalty 1, max_new_tokens 4. Step 1: end (ln .5 = -0.693, length 1)
  // finishes; the running [1] has -0.916. false: -0.916 / 1 < -0.693, done. never: the best it
  // could score is -0.916 / 4 = -0.229 > -0.693, so it goes on; step 2: [1 end] =
  // (-0.916 + ln .9) / 2 = -0.511 is better and replaces it; the running [1 0] at
  // (-0.916 + ln .06) / 4 = -0.932 cannot win: done.
  auto model = table_model({{{0}, {0.1f, 0.4f, 0.5f}}, {{0, 1}, {0.06f, 0.04f, 0.9f}}});
  GenerateConfig c;
  c.strategy = "beam";
  c.length_penalty = 1;
  c.max_new_tokens = 4;
  for (const char* mode : {"false", "true"}) {
    INFO("early_stopping " << mode);
    c.early_stopping = mode;
    auto r = generate(model, {{0}}, {c, 0, 2, {}, {}})[0][0];
    CHECK(r.tokens == std::vector<int64_t>{2});
    CHECK(r.score == Approx(std::log(0.5)));
  }
  c.early_stopping = "never";
  auto r = generate(model, {{0}}, {c, 0, 2, {}, {}})[0][0];
  CHECK(r.tokens == std::vector<int64_t>{1, 2});
  CHECK(r.score == Approx((std::log(0.4) + std::log(0.9)) / 2));
}
