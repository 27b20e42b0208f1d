// Contrastive search on the golden model against a direct implementation of Su et al.'s
// formula in this file: no cache, no batching, each candidate run on its own full sequence.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "generate/processors/top_k.h"
#include "generate/step_trace.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/gpt2_model.h"
#include "test_support.h"

using namespace gpt2;

namespace {

// Final hidden states (T, C) and logits (T, V) of one unpadded sequence, in float64.
std::pair<at::Tensor, at::Tensor> run(GPT2LMHeadModel& model, const std::vector<int64_t>& tokens) {
  at::NoGradGuard guard;
  auto ids = at::tensor(tokens, at::kLong).view({1, -1});
  auto hidden = model->transformer->forward(ids, {})[0].to(at::kDouble);  // (T, C)
  auto wte = model->transformer->wte->weight.to(at::kDouble);             // (V, C), tied head
  return {hidden, hidden.matmul(wte.t())};                                // (T, V)
}

// Greedy over (1 - alpha) p(v) - alpha max_j cos(h_v, h_j), j over every earlier token; each
// step's candidates, p(v) and penalties go to `steps_out` when given.
std::vector<int64_t> direct_contrastive(GPT2LMHeadModel& model, std::vector<int64_t> tokens,
                                        int64_t k, double alpha, int64_t steps,
                                        std::vector<ContrastiveStep>* steps_out = nullptr) {
  std::vector<int64_t> out;
  for (int64_t s = 0; s < steps; ++s) {
    auto [context, logits] = run(model, tokens);
    auto probs = logits[-1].softmax(-1);  // (V)
    auto top = probs.topk(k);
    auto top_p = std::get<0>(top), top_ids = std::get<1>(top);
    double best_score = -1e300;
    int64_t best = -1;
    ContrastiveStep step;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t v = top_ids[j].item<int64_t>();
      auto longer = tokens;
      longer.push_back(v);
      auto h = run(model, longer).first[-1];                             // (C)
      auto cos = context.matmul(h) / (context.norm(2, {1}) * h.norm());  // (T)
      const double score = (1 - alpha) * top_p[j].item<double>() - alpha * cos.max().item<double>();
      if (score > best_score) std::tie(best_score, best) = std::make_pair(score, v);
      step.candidates.push_back(v);
      step.confidence.push_back(top_p[j].item<double>());
      step.degeneration.push_back(cos.max().item<double>());
    }
    step.chosen = best;
    if (steps_out) steps_out->push_back(step);
    tokens.push_back(best);
    out.push_back(best);
  }
  return out;
}

}  // namespace

TEST_CASE("contrastive search follows the formula on the golden model, batched and padded",
          "[contrastive]") {
  auto model = load_model_dir(test::golden_model_dir());
  SafetensorsFile expected(test::golden_model_dir() + "/expected.safetensors");
  auto ids_tensor = expected.tensor("input_ids").contiguous();
  std::vector<int64_t> ids(ids_tensor.data_ptr<int64_t>(),
                           ids_tensor.data_ptr<int64_t>() + ids_tensor.numel());
  const std::vector<std::vector<int64_t>> prompts = {{ids.begin(), ids.begin() + 9},
                                                     {ids.begin() + 64, ids.begin() + 66},
                                                     {ids.begin() + 30, ids.begin() + 47}};
  GenerateConfig c;
  c.strategy = "contrastive";
  c.processor<TopKOptions>().k = 4;
  c.max_new_tokens = 12;
  c.ignore_eos = true;
  c.validate();  // top_k here counts candidates: not a sampling warper
  for (double alpha : {0.0, 0.6, 0.9}) {
    c.penalty_alpha = alpha;
    for (bool use_cache : {true, false}) {
      INFO("alpha " << alpha << " use_cache " << use_cache);
      ModelSource source(model.ptr(), use_cache);
      c.use_cache = use_cache;
      auto got = generate(source, prompts, {c, 0, 383, {}, {}});
      for (size_t p = 0; p < prompts.size(); ++p) {
        INFO("prompt " << p);
        CHECK(got[p][0].tokens == direct_contrastive(model, prompts[p], 4, alpha, 12));
      }
    }
  }
  // alpha = 0 is greedy search.
  GenerateConfig greedy;
  greedy.max_new_tokens = 12;
  greedy.ignore_eos = true;
  ModelSource source(model.ptr(), true);
  c.penalty_alpha = 0;
  CHECK(generate(source, prompts, {c, 0, 383, {}, {}})[1][0].tokens ==
        generate(source, prompts, {greedy, 0, 383, {}, {}})[1][0].tokens);
}

TEST_CASE("contrastive search needs candidates", "[contrastive]") {
  GenerateConfig c;
  c.strategy = "contrastive";
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("top_k >= 1"));
  c.processor<TopKOptions>().k = 3;
  c.num_return_sequences = 2;
  CHECK_THROWS_AS(c.validate(), Error);  // deterministic: one answer
}

TEST_CASE("contrastive search traces its candidates, confidences and penalties", "[contrastive]") {
  auto model = load_model_dir(test::golden_model_dir());
  SafetensorsFile expected(test::golden_model_dir() + "/expected.safetensors");
  auto ids_tensor = expected.tensor("input_ids").contiguous();
  std::vector<int64_t> ids(ids_tensor.data_ptr<int64_t>(),
                           ids_tensor.data_ptr<int64_t>() + ids_tensor.numel());
  const std::vector<std::vector<int64_t>> prompts = {{ids.begin(), ids.begin() + 9},
                                                     {ids.begin() + 64, ids.begin() + 66}};
  GenerateConfig c;
  c.strategy = "contrastive";
  c.processor<TopKOptions>().k = 4;
  c.penalty_alpha = 0.6;
  c.max_new_tokens = 6;
  c.ignore_eos = true;
  ModelSource source(model.ptr(), true);
  GenerationOptions o{c, 0, 383, {}, {}};
  o.trace = true;
  auto got = generate(source, prompts, o);
  for (size_t p = 0; p < prompts.size(); ++p) {
    INFO("prompt " << p);
    std::vector<ContrastiveStep> want;
    direct_contrastive(model, prompts[p], 4, 0.6, 6, &want);
    const auto& r = got[p][0];
    REQUIRE(r.contrastive_steps.size() == want.size());
    REQUIRE(r.trace.size() == r.tokens.size());
    for (size_t s = 0; s < want.size(); ++s) {
      INFO("step " << s);
      const auto& step = r.contrastive_steps[s];
      CHECK(step.candidates == want[s].candidates);
      CHECK(step.chosen == want[s].chosen);
      CHECK(step.chosen == r.tokens[s]);
      for (size_t j = 0; j < 4; ++j) {
        CHECK(step.confidence[j] == Approx(want[s].confidence[j]).margin(1e-5));
        CHECK(step.degeneration[j] == Approx(want[s].degeneration[j]).margin(1e-4));
      }
      // No processors: the chosen candidate's confidence is the model's probability of it.
      const auto at = std::find(step.candidates.begin(), step.candidates.end(), step.chosen) -
                      step.candidates.begin();
      CHECK(r.trace[s].probability ==
            Approx(step.confidence[static_cast<size_t>(at)]).margin(1e-6));
      CHECK(r.trace[s].rank == at);
      CHECK(r.trace[s].kept == model->config().vocab_size);
    }
    auto line = nlohmann::json::parse(trace_json_lines(int64_t(p), {r}));
    CHECK(line["candidates"].size() == 6);
    CHECK(line["candidates"][0]["candidates"].size() == 4);
    CHECK(line["candidates"][5]["chosen"] == r.tokens[5]);
    CHECK_FALSE(line.contains("blocks"));
  }
  // Off: nothing recorded.
  CHECK(generate(source, prompts, {c, 0, 383, {}, {}})[0][0].contrastive_steps.empty());
}
