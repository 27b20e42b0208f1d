// Streaming with beam search: on_token gets the best sequence's tokens as soon as every beam
// that can still win shares them, never a token that later changes, and all of them by the end.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "fake_model.h"
#include "generate/generator.h"
#include "generate/text_stream.h"

using namespace gpt2;

namespace {

std::vector<float> logs(std::vector<float> p) {
  for (auto& x : p) x = std::log(x);
  return p;
}

// After prompt 0 the beams split into "1 ..." and "2 ..." and stay apart for a step; then
// both best continuations grow from "1 3", so "1 3" becomes final at the third step.
std::vector<float> diverge_then_converge(const std::vector<int64_t>& t) {
  const std::vector<int64_t> g(t.begin() + 1, t.end());  // generated
  if (g.empty()) return logs({0.05f, 0.5f, 0.4f, 0.05f});
  if (g == std::vector<int64_t>{1}) return logs({0.04f, 0.03f, 0.03f, 0.9f});
  if (g == std::vector<int64_t>{2}) return logs({0.3f, 0.25f, 0.25f, 0.2f});
  if (g == std::vector<int64_t>{1, 3}) return logs({0.35f, 0.025f, 0.6f, 0.025f});
  return logs({0.1f, 0.2f, 0.3f, 0.4f});
}

struct Streamed {
  std::vector<int64_t> tokens;
  std::vector<float> logprobs;
  std::vector<int64_t> calls;  // model calls when each token came
};

}  // namespace

TEST_CASE("beam streaming: the shared prefix comes once beams re-converge, the rest at the end") {
  test::FunctionSource model(4, 32, diverge_then_converge);
  GenerateConfig c;
  c.strategy = "beam";
  c.num_beams = 2;
  c.max_new_tokens = 4;
  Streamed s;
  GenerateCallbacks callbacks;
  callbacks.on_token = [&](const TokenEvent& e) {
    CHECK(e.prompt_index == 0);
    CHECK(e.sample == 0);
    s.tokens.push_back(e.token);
    s.logprobs.push_back(e.logprob);
    s.calls.push_back(model.calls);
  };
  auto best = generate(model, {{0}}, {c, 0, -1, {}, {}}, callbacks)[0][0];
  // Step 1: beams "1" and "2"; step 2: "1 3" and "2 0"; step 3: "1 3 2" and "1 3 0".
  REQUIRE(best.tokens.size() == 4);
  CHECK(best.tokens[0] == 1);
  CHECK(best.tokens[1] == 3);
  CHECK(best.tokens[2] == 2);
  CHECK(s.tokens == best.tokens);
  CHECK(s.logprobs == best.logprobs);
  // "1 3" was given at the third step (3 model calls), before the search ended (4 calls).
  CHECK(s.calls == std::vector<int64_t>{3, 3, 4, 4});
}

TEST_CASE("beam streaming: streamed pieces are a prefix of the final text, on many searches") {
  const int64_t vocab = 5, eos = 4;
  test::FunctionSource model(
      vocab, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, 5); });
  int early = 0;  // tokens given before the search ended, over all cases
  for (const char* strategy : {"beam", "group_beam", "stochastic_beam"})
    for (const char* stopping : {"true", "false", "never"})
      for (int64_t beams : {2, 4})
        for (int64_t prompt_start : {0, 1, 2}) {
          GenerateConfig c;
          c.strategy = strategy;
          c.num_beams = beams;
          c.max_new_tokens = 8;
          if (std::string(strategy) == "group_beam") {
            c.num_beam_groups = 2;
            c.diversity_penalty = 0.5;
          }
          if (std::string(strategy) != "stochastic_beam") c.early_stopping = stopping;
          INFO(strategy << " early_stopping " << stopping << " beams " << beams << " prompt "
                        << prompt_start);
          TextStreamer streamer(test::letters, {});
          std::string printed;
          std::vector<int64_t> streamed;
          std::vector<int64_t> calls;
          GenerateCallbacks callbacks;
          callbacks.on_token = [&](const TokenEvent& e) {
            streamed.push_back(e.token);
            calls.push_back(model.calls);
            if (e.token != eos) printed += streamer.push(e.token);
          };
          const std::vector<int64_t> prompt = {prompt_start, 3, 1};
          const int64_t before = model.calls;
          auto results = generate(model, {prompt}, {c, 7, eos, {}, test::letters}, callbacks)[0];
          const auto& best = results.front();
          CHECK(streamed == best.tokens);  // nothing streamed that changed later, nothing missed
          printed += streamer.finish(best.text);
          CHECK(printed == best.text);
          for (auto at : calls) early += at < model.calls ? 1 : 0;
          CHECK(model.calls > before);
        }
  CHECK(early > 0);  // streaming did run ahead of the search's end
}
