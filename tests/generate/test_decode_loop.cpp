// The one decode loop (decode_loop.h) under its two kinds of selection policy: a row policy
// extends each row by itself, a beam policy chooses among every row's continuations; the loop's
// step (processors, traces), stop checks and streaming must serve both alike.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "fake_model.h"
#include "generate/generator.h"

using namespace gpt2;

TEST_CASE("decode loop: one beam is greedy in a batch, through end-of-text, with its traces") {
  // Beam search's scan keeps a second candidate when the best one is the end-of-text id, and
  // then stops at once (the finished one is better): the same tokens as greedy, whose
  // log-probabilities come from logits where beams' come from log-probabilities.
  GenerateConfig greedy;
  greedy.max_new_tokens = 9;
  GenerateConfig beam = greedy;
  beam.strategy = "beam";
  beam.num_beams = 1;
  beam.length_penalty = 0;
  auto model = test::wiggly(6);
  const std::vector<std::vector<int64_t>> prompts = {{1}, {2, 3, 4}, {0, 5}, {3, 3}};
  for (int64_t batch : {1, 4}) {
    greedy.batch_size = beam.batch_size = batch;
    GenerationOptions options{greedy, 0, 5, {}, {}};
    options.trace = true;
    auto expected = generate(model, prompts, options);
    options.config = beam;
    auto got = generate(model, prompts, options);
    bool stopped = false;
    for (size_t p = 0; p < prompts.size(); ++p) {
      const auto& g = expected[p][0];
      const auto& b = got[p][0];
      CHECK(b.tokens == g.tokens);
      CHECK(b.reason == g.reason);
      stopped = stopped || g.reason == StopReason::stop_token;
      CHECK(b.score == Approx(g.score).margin(1e-5));
      REQUIRE(b.logprobs.size() == g.logprobs.size());
      REQUIRE(b.trace.size() == g.tokens.size());
      for (size_t i = 0; i < g.logprobs.size(); ++i) {
        CHECK(b.logprobs[i] == Approx(g.logprobs[i]).margin(1e-5));
        CHECK(b.transition_scores[i] == b.logprobs[i]);  // beams: processed log-probabilities
        CHECK(b.trace[i].rank == g.trace[i].rank);
        CHECK(b.trace[i].entropy == Approx(g.trace[i].entropy));
        CHECK(b.trace[i].probability == Approx(g.trace[i].probability));
      }
    }
    CHECK(stopped);  // the end-of-text path was taken
  }
}

TEST_CASE("decode loop: sampled rows stream their own tokens and leave the batch as they stop") {
  GenerateConfig c;
  c.strategy = "sample";
  c.num_return_sequences = 3;
  c.max_new_tokens = 12;
  c.batch_size = 2;
  auto model = test::wiggly(6);
  const std::vector<std::vector<int64_t>> prompts = {{1}, {2, 3}};
  std::map<std::pair<int64_t, int64_t>, GenerationResult> streamed;
  GenerateCallbacks callbacks;
  callbacks.on_token = [&](const TokenEvent& e) {
    auto& s = streamed[{e.prompt_index, e.sample}];
    s.tokens.push_back(e.token);
    s.logprobs.push_back(e.logprob);
  };
  auto results = generate(model, prompts, {c, 7, 5, {}, {}}, callbacks);
  std::vector<size_t> lengths;
  for (size_t p = 0; p < prompts.size(); ++p) {
    REQUIRE(results[p].size() == 3);
    for (size_t s = 0; s < 3; ++s) {
      const auto& r = results[p][s];
      const auto& seen = streamed[{static_cast<int64_t>(p), static_cast<int64_t>(s)}];
      CHECK(seen.tokens == r.tokens);
      CHECK(seen.logprobs == r.logprobs);
      double sum = 0;
      for (float l : r.logprobs) sum += l;
      CHECK(r.score == Approx(sum));
      CHECK((r.reason == StopReason::stop_token) == (r.tokens.back() == 5));
      lengths.push_back(r.tokens.size());
    }
  }
  // Rows stopped at different steps, so some left the batch while others went on.
  CHECK(*std::min_element(lengths.begin(), lengths.end()) <
        *std::max_element(lengths.begin(), lengths.end()));
  // The same samples one prompt at a time.
  c.batch_size = 1;
  auto alone = generate(model, prompts, {c, 7, 5, {}, {}});
  for (size_t p = 0; p < prompts.size(); ++p)
    for (size_t s = 0; s < 3; ++s) CHECK(alone[p][s].tokens == results[p][s].tokens);
}
