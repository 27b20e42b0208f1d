// Decoding a real (tiny, golden) GPT-2: greedy tokens reproduced through the KV cache, cached
// and uncached logits equal with left padding, and batch / padding invariance.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "generate/batch.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_p.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "tensor_ids.h"
#include "test_support.h"

using namespace gpt2;

namespace {

// Prompts of different lengths cut from the golden input.
std::vector<std::vector<int64_t>> some_prompts() {
  SafetensorsFile expected(test::golden_model_dir() + "/expected.safetensors");
  auto ids = test::ids_of(expected.tensor("input_ids"));  // 2 x 64
  return {{ids.begin(), ids.begin() + 7},
          {ids.begin() + 64, ids.begin() + 64 + 2},
          {ids.begin() + 20, ids.begin() + 33},
          {ids.begin() + 70, ids.begin() + 71}};
}

void check_batch_invariance(GenerateConfig c, bool use_cache) {
  auto model = load_model_dir(test::golden_model_dir());
  ModelSource source(model.ptr(), use_cache);
  auto prompts = some_prompts();
  c.batch_size = 4;
  auto together = generate(source, prompts, {c, 3, 383, {}, {}});
  c.batch_size = 1;
  auto alone = generate(source, prompts, {c, 3, 383, {}, {}});
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t i = 0; i < together[p].size(); ++i) {
      INFO("prompt " << p << " sequence " << i);
      CHECK(together[p][i].tokens == alone[p][i].tokens);
      CHECK(together[p][i].reason == alone[p][i].reason);
      CHECK(together[p][i].score == Approx(alone[p][i].score).epsilon(1e-4));
    }
}

}  // namespace

TEST_CASE("golden greedy tokens are reproduced through generate(), with and without cache") {
  SafetensorsFile expected(test::golden_model_dir() + "/expected.safetensors");
  auto prompt = test::ids_of(expected.tensor("greedy_prompt"));
  auto want = test::ids_of(expected.tensor("greedy_tokens"));
  auto model = load_model_dir(test::golden_model_dir());
  for (bool use_cache : {true, false}) {
    INFO("use_cache " << use_cache);
    ModelSource source(model.ptr(), use_cache);
    GenerateConfig c;
    c.max_new_tokens = 1000;  // runs to the end of the context
    c.ignore_eos = true;
    auto result = generate(source, {prompt}, {c, 0, 383, {}, {}})[0][0];
    CHECK(result.tokens == want);
    CHECK(result.reason == StopReason::context);
  }
}

TEST_CASE("cached and uncached logits are equal on a left-padded batch") {
  auto model = load_model_dir(test::golden_model_dir());
  ModelSource cached(model.ptr(), true), uncached(model.ptr(), false);
  auto batch = left_pad({{5, 9, 17, 3, 250}, {42, 7}});
  cached.start(2, 16);
  uncached.start(2, 16);
  auto a = cached.step({batch.input_ids, batch.attention_mask, batch.position_ids});    // (2, V)
  auto b = uncached.step({batch.input_ids, batch.attention_mask, batch.position_ids});  // (2, V)
  CHECK((a - b).abs().max().item<double>() < 1e-5);
  auto ids = batch.input_ids, mask = batch.attention_mask, positions = batch.position_ids;
  for (int64_t step = 0; step < 6; ++step) {
    auto next = a.argmax(-1).unsqueeze(1);                                   // (2, 1)
    auto next_position = positions.narrow(1, positions.size(1) - 1, 1) + 1;  // (2, 1)
    ids = at::cat({ids, next}, 1);
    mask = at::cat({mask, at::ones_like(next)}, 1);
    positions = at::cat({positions, next_position}, 1);
    a = cached.step({next, mask, next_position});
    b = uncached.step({ids, mask, positions});
    double scale = b.abs().max().item<double>();
    CHECK((a - b).abs().max().item<double>() <= 4e-6 * scale);
  }
  // A padded row's logits equal the same prompt run alone.
  ModelSource single(model.ptr(), true);
  single.start(1, 8);
  auto alone = single.step({at::tensor(std::vector<int64_t>{42, 7}).view({1, 2}),
                            at::ones({1, 2}, at::kLong),
                            at::tensor(std::vector<int64_t>{0, 1}).view({1, 2})});
  uncached.start(2, 16);
  auto padded = uncached.step({batch.input_ids, batch.attention_mask, batch.position_ids});
  CHECK((padded[1] - alone[0]).abs().max().item<double>() < 1e-5);
}

TEST_CASE("batch invariance: greedy, sampling and beams give each prompt the same tokens") {
  GenerateConfig greedy;
  greedy.max_new_tokens = 20;
  check_batch_invariance(greedy, true);
  check_batch_invariance(greedy, false);

  GenerateConfig sample;
  sample.strategy = "top_p";
  sample.processor<TopPOptions>().p = 0.9;
  sample.processor<TemperatureOptions>().temperature = 0.9;
  sample.num_return_sequences = 2;
  sample.max_new_tokens = 20;
  sample.processor<RepetitionPenaltyOptions>().penalty = 1.3;
  check_batch_invariance(sample, true);

  GenerateConfig beam;
  beam.strategy = "beam";
  beam.num_beams = 3;
  beam.num_return_sequences = 2;
  beam.max_new_tokens = 12;
  check_batch_invariance(beam, true);

  GenerateConfig stochastic;
  stochastic.strategy = "stochastic_beam";
  stochastic.num_beams = 2;
  stochastic.num_return_sequences = 2;
  stochastic.max_new_tokens = 8;
  check_batch_invariance(stochastic, true);
}

TEST_CASE("padding invariance up to the end of the context") {
  // The short prompt sits behind 12 columns of padding, so the padded batch fills the
  // context before the short row does; it continues in a re-padded batch.
  GenerateConfig c;
  c.max_new_tokens = 60;
  c.ignore_eos = true;
  auto model = load_model_dir(test::golden_model_dir());
  ModelSource source(model.ptr(), true);
  auto prompts = some_prompts();
  std::vector<std::vector<int64_t>> pair = {prompts[2], prompts[3]};  // 13 and 1 tokens
  c.batch_size = 2;
  auto together = generate(source, pair, {c, 0, 383, {}, {}});
  c.batch_size = 1;
  auto alone = generate(source, pair, {c, 0, 383, {}, {}});
  CHECK(together[0][0].reason == StopReason::context);
  CHECK(together[1][0].reason == StopReason::length);
  CHECK(together[0][0].tokens == alone[0][0].tokens);
  CHECK(together[1][0].tokens == alone[1][0].tokens);

  c.strategy = "beam";
  c.num_beams = 2;
  c.max_new_tokens = 55;
  c.batch_size = 2;
  auto beams_together = generate(source, pair, {c, 0, 383, {}, {}});
  c.batch_size = 1;
  auto beams_alone = generate(source, pair, {c, 0, 383, {}, {}});
  CHECK(beams_together[1][0].tokens == beams_alone[1][0].tokens);
}

TEST_CASE("beam search gives the same beams with and without the KV cache") {
  // Beams reorder the cache rows every step; recomputing everything must agree.
  auto model = load_model_dir(test::golden_model_dir());
  ModelSource cached(model.ptr(), true), uncached(model.ptr(), false);
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 4;
  c.num_return_sequences = 4;
  c.max_new_tokens = 10;
  c.batch_size = 2;
  c.ignore_eos = true;
  auto prompts = some_prompts();
  auto with_cache = generate(cached, prompts, {c, 0, 383, {}, {}});
  auto without = generate(uncached, prompts, {c, 0, 383, {}, {}});
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t i = 0; i < with_cache[p].size(); ++i) {
      INFO("prompt " << p << " beam " << i);
      CHECK(with_cache[p][i].tokens == without[p][i].tokens);
      CHECK(with_cache[p][i].score == Approx(without[p][i].score).epsilon(1e-4));
    }
}
