// Samplers: over many seeded draws the empirical distribution matches the processed one
// (chi-square test), and each sequence's random stream is its own.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/processor_registry.h"
#include "generate/processors/epsilon.h"
#include "generate/processors/eta.h"
#include "generate/processors/min_p.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/processors/typical_p.h"
#include "generate/random_stream.h"
#include "generate/strategies/sample.h"

using namespace gpt2;

namespace {

const std::vector<float> kLogits = {1.0f, 0.2f, -0.5f, 2.0f, 0.7f, -1.5f};

// The distribution a config's processors leave from kLogits.
std::vector<double> processed(const GenerateConfig& config) {
  ProcessorContext context{config, 6, {}, {}};
  auto scores = at::tensor(kLogits, at::kFloat).unsqueeze(0);  // (1, V)
  build_processors(context).apply(scores, {TokenHistory{{0}, 1}});
  auto probs = scores.softmax(-1).to(at::kDouble).contiguous();
  return {probs.data_ptr<double>(), probs.data_ptr<double>() + 6};
}

// Upper 0.1% points of chi-square with 1..5 degrees of freedom.
double chi2_critical(int dof) {
  static const double table[] = {10.828, 13.816, 16.266, 18.467, 20.515};
  return table[dof - 1];
}

// Draws `n` first tokens through generate() (one prompt per draw: each has its own stream)
// and checks them against the processed distribution.
void check_sampler(GenerateConfig config, int n = 6000) {
  config.max_new_tokens = 1;
  config.batch_size = 512;
  config.validate();
  auto expected = processed(config);
  test::FunctionSource model(6, 16, [](const std::vector<int64_t>&) { return kLogits; });
  std::vector<std::vector<int64_t>> prompts(static_cast<size_t>(n), std::vector<int64_t>{0});
  GenerationOptions options{config, 1234, -1, {}, {}};
  auto results = generate(model, prompts, options);
  std::vector<double> counts(6, 0);
  for (const auto& r : results) counts[static_cast<size_t>(r.at(0).tokens.at(0))] += 1;
  double chi2 = 0;
  int categories = 0;
  for (size_t v = 0; v < 6; ++v) {
    INFO("token " << v << " expected p " << expected[v] << " drawn " << counts[v]);
    if (expected[v] < 1e-12) {
      CHECK(counts[v] == 0);  // removed tokens are never drawn
      continue;
    }
    const double e = expected[v] * n;
    chi2 += (counts[v] - e) * (counts[v] - e) / e;
    ++categories;
  }
  if (categories > 1) CHECK(chi2 < chi2_critical(categories - 1));
  // The reported log-probability is that of the processed distribution.
  const auto& first = results[0][0];
  CHECK(first.logprobs[0] == Approx(std::log(expected[static_cast<size_t>(first.tokens[0])])));
}

GenerateConfig with(const std::string& strategy) {
  GenerateConfig c;
  c.strategy = strategy;
  return c;
}

}  // namespace

TEST_CASE("sampling: plain and with temperature matches softmax") {
  check_sampler(with("sample"));
  auto c = with("sample");
  c.processor<TemperatureOptions>().temperature = 0.6;
  check_sampler(c);
  c.processor<TemperatureOptions>().temperature = 1.7;
  check_sampler(c);
}

TEST_CASE("sampling: each warper's draws match its processed distribution") {
  auto c = with("top_k");
  c.processor<TopKOptions>().k = 3;
  check_sampler(c);
  c = with("top_p");
  c.processor<TopPOptions>().p = 0.8;
  check_sampler(c);
  c = with("typical");
  c.processor<TypicalPOptions>().p = 0.7;
  check_sampler(c);
  c = with("min_p");
  c.processor<MinPOptions>().p = 0.2;
  check_sampler(c);
  c = with("epsilon");
  c.processor<EpsilonOptions>().epsilon = 0.08;
  check_sampler(c);
  c = with("eta");
  c.processor<EtaOptions>().eta = 0.3;
  check_sampler(c);
  c = with("top_p");
  c.processor<TopPOptions>().p = 0.9;
  c.processor<TemperatureOptions>().temperature = 0.7;
  c.processor<TopKOptions>().k = 4;
  check_sampler(c);
}

TEST_CASE("random streams are counter based and independent per sequence") {
  RandomStream a(7, 3), b(7, 3), c(7, 4), d(8, 3);
  for (int i = 0; i < 5; ++i) {
    auto x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
    CHECK(x != d.next_u64());
  }
  // Uniforms are in range and have mean 1/2.
  RandomStream s(1, 0);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    double u = s.uniform();
    REQUIRE((u >= 0 && u < 1));
    sum += u;
  }
  CHECK(sum / 100000 == Approx(0.5).margin(0.005));
  // Zero weights are never drawn, whatever u is.
  const float w[] = {0, 0.5f, 0, 0.5f, 0};
  CHECK(sample_index(w, 5, 0.0) == 1);
  CHECK(sample_index(w, 5, 0.4999) == 1);
  CHECK(sample_index(w, 5, 0.5001) == 3);
  CHECK(sample_index(w, 5, 0.9999999) == 3);
}

TEST_CASE("sampling: a prompt's samples do not depend on its batch") {
  auto c = with("top_p");
  c.processor<TopPOptions>().p = 0.95;
  c.max_new_tokens = 12;
  c.num_return_sequences = 2;
  c.ignore_eos = true;
  test::FunctionSource model(
      7, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 7); });
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4}, {5, 6}, {0, 1, 2, 3, 4}};
  c.batch_size = 4;
  auto together = generate(model, prompts, {c, 99, -1, {}, {}});
  c.batch_size = 1;
  auto alone = generate(model, prompts, {c, 99, -1, {}, {}});
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t s = 0; s < 2; ++s) CHECK(together[p][s].tokens == alone[p][s].tokens);
  CHECK(together[0][0].tokens != together[0][1].tokens);  // samples differ from each other
  auto reseeded = generate(model, prompts, {c, 100, -1, {}, {}});
  CHECK(reseeded[0][0].tokens != alone[0][0].tokens);
}
