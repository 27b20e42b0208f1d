// Speculative decoding: prompt-lookup drafts by hand; greedy output equal to target-only
// greedy token for token (fakes and the golden model, batched rows accepting different
// counts, with and without cache, through rebuilds at the context's end); sampling
// distributed as the target's (chi-square against exact probabilities of the golden model).
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "core/error.h"
#include "fake_model.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/prompt_lookup.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/gpt2_model.h"
#include "tensor_ids.h"
#include "test_support.h"
#include "tiny_model_config.h"

using namespace gpt2;
using Catch::Contains;

namespace {

std::vector<std::vector<int64_t>> golden_prompts() {
  SafetensorsFile expected(test::golden_model_dir() + "/expected.safetensors");
  auto ids = test::ids_of(expected.tensor("input_ids"));  // 2 x 64
  return {{ids.begin(), ids.begin() + 7},
          {ids.begin() + 64, ids.begin() + 64 + 2},
          {ids.begin() + 20, ids.begin() + 45},
          {ids.begin() + 70, ids.begin() + 71}};
}

GenerationOptions options_for(const GenerateConfig& c, LogitsSource* draft, uint64_t seed = 3) {
  GenerationOptions o{c, seed, 383, {}, {}};
  o.draft = draft;
  return o;
}

// The golden model with noise on every weight: a draft that agrees with it often, not always.
GPT2LMHeadModel perturbed_golden(double scale) {
  auto model = load_model_dir(test::golden_model_dir());
  at::NoGradGuard guard;
  at::manual_seed(11);
  for (auto& p : model->parameters()) p.add_(at::randn_like(p) * (scale * p.std().item<double>()));
  return model;
}

int64_t total(const std::vector<std::vector<GenerationResult>>& results,
              int64_t GenerationResult::*field) {
  int64_t sum = 0;
  for (const auto& p : results)
    for (const auto& r : p) sum += r.*field;
  return sum;
}

}  // namespace

TEST_CASE("prompt lookup drafts the continuation of the last n-gram's first earlier match",
          "[speculative]") {
  // The 2-gram (1 2) first occurs at 0: its continuation 3 4 1 2, cut to 3 / to the end.
  CHECK(prompt_lookup_draft({1, 2, 3, 4, 1, 2}, 2, 3) == std::vector<int64_t>{3, 4, 1});
  CHECK(prompt_lookup_draft({1, 2, 3, 4, 1, 2}, 2, 9) == std::vector<int64_t>{3, 4, 1, 2});
  // No earlier (7 6): falls back to the 1-gram (6) at 1.
  CHECK(prompt_lookup_draft({5, 6, 7, 6}, 2, 4) == std::vector<int64_t>{7, 6});
  // The earliest match wins, as in Hugging Face.
  CHECK(prompt_lookup_draft({1, 9, 1, 8, 1}, 1, 2) == std::vector<int64_t>{9, 1});
  // Nothing matches; a single token has nothing earlier.
  CHECK(prompt_lookup_draft({1, 2, 3}, 3, 4).empty());
  CHECK(prompt_lookup_draft({4}, 2, 4).empty());
}

TEST_CASE("speculative greedy on fakes equals greedy, rows accepting different counts",
          "[speculative]") {
  const int64_t vocab = 7;
  test::FunctionSource target(
      vocab, 40, [&](const std::vector<int64_t>& t) { return test::wiggly_logits(t, vocab); });
  // Agrees with the target except after some histories, where it prefers another token.
  test::FunctionSource draft(vocab, 40, [&](const std::vector<int64_t>& t) {
    auto logits = test::wiggly_logits(t, vocab);
    int64_t sum = 0;
    for (auto x : t) sum += x;
    if (sum % 3 == 0) logits[static_cast<size_t>(sum % vocab)] += 10;
    return logits;
  });
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4}, {6, 5, 4, 3, 2, 1, 0, 1}, {2, 2}};
  GenerateConfig c;
  c.max_new_tokens = 25;
  c.processor<RepetitionPenaltyOptions>().penalty =
      1.2;  // processors see each drafted prefix as its own history
  const auto want = generate(target, prompts, options_for(c, nullptr));
  for (int64_t k : {1, 3, 5}) {
    c.draft_model = "fake";
    c.num_draft_tokens = k;
    auto got = generate(target, prompts, options_for(c, &draft));
    INFO("k " << k);
    for (size_t p = 0; p < prompts.size(); ++p) {
      INFO("prompt " << p);
      CHECK(got[p][0].tokens == want[p][0].tokens);
      CHECK(got[p][0].reason == want[p][0].reason);
      for (size_t i = 0; i < want[p][0].logprobs.size(); ++i)
        CHECK(got[p][0].logprobs[i] == Approx(want[p][0].logprobs[i]).margin(1e-5));
    }
    const int64_t drafted = total(got, &GenerationResult::drafted);
    const int64_t accepted = total(got, &GenerationResult::accepted);
    CHECK(accepted > 0);
    CHECK(accepted < drafted);
    std::set<int64_t> counts;  // rows differ in what they accepted
    for (const auto& p : got) counts.insert(p[0].accepted);
    CHECK(counts.size() > 1);
    // A pass gives at least one token, and accepted drafts save passes.
    CHECK(total(got, &GenerationResult::target_passes) < 4 * 25);
  }
}

TEST_CASE("prompt-lookup greedy equals greedy and accepts copied n-grams", "[speculative]") {
  const int64_t vocab = 6;
  // Mostly repeats the token 3 back, so the text cycles and lookups succeed.
  test::FunctionSource target(vocab, 60, [&](const std::vector<int64_t>& t) {
    auto logits = test::wiggly_logits(t, vocab);
    if (t.size() >= 3 && t.size() % 7 != 0) logits[static_cast<size_t>(t[t.size() - 3])] += 6;
    return logits;
  });
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3, 1, 2}, {5}, {4, 0, 4, 0, 4, 0}};
  GenerateConfig c;
  c.max_new_tokens = 30;
  const auto want = generate(target, prompts, options_for(c, nullptr));
  c.prompt_lookup_ngram = 2;
  c.num_draft_tokens = 4;
  auto got = generate(target, prompts, options_for(c, nullptr));
  for (size_t p = 0; p < prompts.size(); ++p) CHECK(got[p][0].tokens == want[p][0].tokens);
  CHECK(total(got, &GenerationResult::accepted) > 10);
  CHECK(total(got, &GenerationResult::target_passes) < total(got, &GenerationResult::drafted));
}

TEST_CASE("a draft model with another vocabulary, or a bad combination, is refused",
          "[speculative]") {
  test::FunctionSource target(
      7, 40, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 7); });
  test::FunctionSource other(
      8, 40, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 8); });
  GenerateConfig c;
  c.draft_model = "other";
  CHECK_THROWS_WITH(generate(target, {{1, 2}}, options_for(c, &other)), Contains("vocabulary"));
  CHECK_THROWS_WITH(generate(target, {{1, 2}}, options_for(c, nullptr)),
                    Contains("did not load a draft model"));
  c.prompt_lookup_ngram = 2;
  CHECK_THROWS_AS(c.validate(), Error);
  c.prompt_lookup_ngram = 0;
  c.strategy = "beam";
  c.num_beams = 2;
  CHECK_THROWS_WITH(c.validate(), Contains("greedy and sampling"));
}

TEST_CASE("speculative greedy on the golden model equals greedy, through the context's end",
          "[speculative]") {
  auto model = load_model_dir(test::golden_model_dir());
  auto poor = perturbed_golden(0.5);
  const auto prompts = golden_prompts();
  GenerateConfig c;
  c.max_new_tokens = 60;  // long prompts run into the 64-position context
  c.ignore_eos = true;
  c.batch_size = 4;
  for (bool use_cache : {true, false}) {
    INFO("use_cache " << use_cache);
    ModelSource target(model.ptr(), use_cache);
    c.use_cache = use_cache;
    c.draft_model.clear();
    c.prompt_lookup_ngram = 0;
    const auto want = generate(target, prompts, options_for(c, nullptr));
    ModelSource same(model.ptr(), use_cache), other(poor.ptr(), use_cache);
    struct Drafter {
      const char* name;
      LogitsSource* draft;
      int64_t lookup;
    };
    for (auto d : {Drafter{"itself", &same, 0}, Drafter{"perturbed", &other, 0},
                   Drafter{"lookup", nullptr, 2}}) {
      for (int64_t k : {2, 5}) {
        INFO("draft " << d.name << " k " << k);
        c.draft_model = d.draft ? "dir" : "";
        c.prompt_lookup_ngram = d.lookup;
        c.num_draft_tokens = k;
        auto got = generate(target, prompts, options_for(c, d.draft));
        for (size_t p = 0; p < prompts.size(); ++p) {
          INFO("prompt " << p);
          CHECK(got[p][0].tokens == want[p][0].tokens);
          CHECK(got[p][0].reason == want[p][0].reason);
        }
        // The model drafting for itself is always right.
        if (d.draft == &same)
          CHECK(total(got, &GenerationResult::accepted) == total(got, &GenerationResult::drafted));
      }
    }
  }
}

namespace {

// The model's top-k (temperature t) distribution after `tokens`, in float64, straight from
// GPT2LMHeadModel without any decoding code.
std::vector<double> top_k_probs(GPT2LMHeadModel& model, const std::vector<int64_t>& tokens,
                                int64_t k, double t) {
  at::NoGradGuard guard;
  auto ids = at::tensor(tokens, at::kLong).view({1, -1});
  auto logits = model->forward(ids).logits[0][-1].to(at::kDouble) / t;  // (V)
  auto kth = std::get<0>(logits.topk(k)).min().item<double>();
  logits = logits.masked_fill(logits < kth, -INFINITY);
  auto p = logits.softmax(-1).contiguous();
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

// The 0.999 quantile of chi-square with d degrees of freedom (Wilson-Hilferty).
double chi_square_999(double d) {
  const double z = 3.0902, a = 2.0 / (9.0 * d);
  return d * std::pow(1 - a + z * std::sqrt(a), 3);
}

// Chi-square statistic of observed pair counts against expected probabilities; cells with an
// expectation under 5 are pooled.
std::pair<double, int64_t> chi_square(const std::map<std::pair<int64_t, int64_t>, double>& probs,
                                      const std::map<std::pair<int64_t, int64_t>, int64_t>& seen,
                                      int64_t n) {
  double stat = 0, pooled_e = 0, pooled_o = 0;
  int64_t cells = 0, counted = 0;
  for (const auto& [cell, p] : probs) {
    const double e = p * double(n);
    const auto it = seen.find(cell);
    const double o = it == seen.end() ? 0 : double(it->second);
    counted += static_cast<int64_t>(o);
    if (e < 5) {
      pooled_e += e;
      pooled_o += o;
      continue;
    }
    stat += (o - e) * (o - e) / e;
    ++cells;
  }
  pooled_o += double(n - counted);  // outcomes outside the support (should be none)
  if (pooled_e > 0) {
    stat += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
    ++cells;
  }
  return {stat, cells - 1};
}

}  // namespace

TEST_CASE("speculative sampling is distributed as the model's own sampling (chi-square)",
          "[speculative]") {
  auto model = load_model_dir(test::golden_model_dir());
  auto poor = perturbed_golden(0.3);
  const int64_t top_k = 4;
  const double temperature = 1.5;
  // (17 250 x 99 17 250): prompt lookup drafts x; x is chosen likely, so it is often accepted.
  auto prompt_with = [](int64_t x) { return std::vector<int64_t>{17, 250, x, 99, 17, 250}; };
  int64_t x = 0;
  double best = 0;
  for (int64_t v = 0; v < 384; ++v) {
    const double p = top_k_probs(model, prompt_with(v), top_k, temperature)[static_cast<size_t>(v)];
    if (p > best) std::tie(best, x) = std::make_pair(p, v);
  }
  INFO("lookup draft " << x << " with probability " << best);
  const auto prompt = prompt_with(x);
  // Exact probabilities of the first two tokens under the processed target distribution.
  std::map<std::pair<int64_t, int64_t>, double> probs;
  auto p1 = top_k_probs(model, prompt, top_k, temperature);
  for (int64_t a = 0; a < 384; ++a) {
    if (p1[static_cast<size_t>(a)] == 0) continue;
    auto longer = prompt;
    longer.push_back(a);
    auto p2 = top_k_probs(model, longer, top_k, temperature);
    for (int64_t b = 0; b < 384; ++b)
      if (p2[static_cast<size_t>(b)] > 0)
        probs[{a, b}] = p1[static_cast<size_t>(a)] * p2[static_cast<size_t>(b)];
  }
  const int64_t n = 3000;
  std::vector<std::vector<int64_t>> prompts(n, prompt);  // each index its own random stream
  GenerateConfig c;
  c.strategy = "sample";
  c.processor<TopKOptions>().k = top_k;
  c.processor<TemperatureOptions>().temperature = temperature;
  c.max_new_tokens = 2;
  c.ignore_eos = true;
  c.batch_size = 100;
  c.num_draft_tokens = 3;
  ModelSource target(model.ptr(), true), draft(poor.ptr(), true);
  struct Drafter {
    const char* name;
    LogitsSource* draft;
    int64_t lookup;
  };
  // The test can tell distributions apart: the draft model's own samples fail it.
  {
    ModelSource alone(poor.ptr(), true);
    auto results = generate(alone, prompts, options_for(c, nullptr, 2024));
    std::map<std::pair<int64_t, int64_t>, int64_t> seen;
    for (const auto& r : results) ++seen[{r[0].tokens.at(0), r[0].tokens.at(1)}];
    auto [stat, dof] = chi_square(probs, seen, n);
    CHECK(stat > chi_square_999(double(dof)));
  }
  for (auto d : {Drafter{"draft model", &draft, 0}, Drafter{"prompt lookup", nullptr, 2}}) {
    INFO(d.name);
    c.draft_model = d.draft ? "dir" : "";
    c.prompt_lookup_ngram = d.lookup;
    auto results = generate(target, prompts, options_for(c, d.draft, 2024));
    std::map<std::pair<int64_t, int64_t>, int64_t> seen;
    for (const auto& r : results) ++seen[{r[0].tokens.at(0), r[0].tokens.at(1)}];
    auto [stat, dof] = chi_square(probs, seen, n);
    INFO("chi-square " << stat << " with " << dof << " degrees of freedom");
    CHECK(dof >= 5);
    CHECK(stat < chi_square_999(double(dof)));
    // Both the acceptance and the rejection branch ran.
    const int64_t drafted = total(results, &GenerationResult::drafted);
    const int64_t accepted = total(results, &GenerationResult::accepted);
    CHECK(accepted > n / 20);
    CHECK(accepted < drafted - n / 20);
  }
}

TEST_CASE("speculative sampling gives each row the same tokens in any batch", "[speculative]") {
  auto model = load_model_dir(test::golden_model_dir());
  auto poor = perturbed_golden(0.3);
  ModelSource target(model.ptr(), true), draft(poor.ptr(), true);
  const auto prompts = golden_prompts();
  GenerateConfig c;
  c.strategy = "top_p";
  c.processor<TopPOptions>().p = 0.9;
  c.num_return_sequences = 2;
  c.max_new_tokens = 12;  // far from the context's end: every batch drafts k tokens
  c.ignore_eos = true;
  c.draft_model = "dir";
  c.num_draft_tokens = 3;
  c.batch_size = 4;
  auto together = generate(target, prompts, options_for(c, &draft));
  c.batch_size = 1;
  auto alone = generate(target, prompts, options_for(c, &draft));
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t i = 0; i < 2; ++i) {
      INFO("prompt " << p << " sample " << i);
      CHECK(together[p][i].tokens == alone[p][i].tokens);
      CHECK(together[p][i].accepted == alone[p][i].accepted);
    }
  CHECK(together[0][0].tokens != together[0][1].tokens);  // two samples, two streams
}
