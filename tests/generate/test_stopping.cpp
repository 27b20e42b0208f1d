// Stopping: max new tokens, stop ids, stop strings (also across tokens), context length;
// result text; streaming callbacks.
// ATen (through fake_model.h) before Catch: glog's CHECK must not replace Catch's.
#include "fake_model.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "generate/generator.h"
#include "generate/stopping.h"

using namespace gpt2;

namespace {

// Counts upwards: after token t comes t + 1 (mod V).
test::FunctionSource counter(int64_t vocab, int64_t context = 64) {
  return test::FunctionSource(vocab, context, [vocab](const std::vector<int64_t>& t) {
    std::vector<float> logits(static_cast<size_t>(vocab), 0.0f);
    logits[static_cast<size_t>((t.back() + 1) % vocab)] = 10.0f;
    return logits;
  });
}

const std::vector<std::string> kPieces = {"a", "b", "c", "d", "xyz", "<eos>"};

std::string decode(const std::vector<int64_t>& ids) {
  std::string text;
  for (auto id : ids) text += kPieces[static_cast<size_t>(id)];
  return text;
}

GenerationResult run(GenerateConfig c, std::vector<int64_t> prompt, int64_t context = 64) {
  auto model = counter(6, context);
  return generate(model, {prompt}, {c, 0, 5, {}, decode})[0][0];
}

}  // namespace

TEST_CASE("stopping: max_new_tokens and the end-of-text id") {
  GenerateConfig c;
  c.max_new_tokens = 3;
  auto r = run(c, {0});
  CHECK(r.tokens == std::vector<int64_t>{1, 2, 3});
  CHECK(r.reason == StopReason::length);
  CHECK(r.text == "bcd");
  CHECK(r.logprobs.size() == 3);

  c.max_new_tokens = 10;
  r = run(c, {2});
  CHECK(r.tokens == std::vector<int64_t>{3, 4, 5});  // the stop id is kept in the tokens
  CHECK(r.reason == StopReason::stop_token);
  CHECK(r.text == "dxyz");  // but not in the text

  c.ignore_eos = true;
  c.max_new_tokens = 4;
  CHECK(run(c, {2}).tokens == std::vector<int64_t>{3, 4, 5, 0});
  c.stop_ids = {1};
  c.max_new_tokens = 10;
  CHECK(run(c, {2}).tokens == std::vector<int64_t>{3, 4, 5, 0, 1});
}

TEST_CASE("stopping: stop strings cut the text, also across tokens and inside one") {
  GenerateConfig c;
  c.max_new_tokens = 10;
  c.stop_strings = {"cd"};  // "b" + "c" + "d": spans two tokens
  auto r = run(c, {0});
  CHECK(r.reason == StopReason::stop_string);
  CHECK(r.tokens == std::vector<int64_t>{1, 2, 3});
  CHECK(r.text == "b");

  c.stop_strings = {"zz", "y"};  // inside "xyz"
  r = run(c, {2});
  CHECK(r.reason == StopReason::stop_string);
  CHECK(r.text == "dx");

  c.strategy = "beam";  // beams finish on stop strings too
  c.num_beams = 2;
  c.stop_strings = {"cd"};
  r = run(c, {0});
  CHECK(r.reason == StopReason::stop_string);
  CHECK(r.text == "b");
}

TEST_CASE("stopping: the context length ends a sequence; a full prompt is an error") {
  GenerateConfig c;
  c.max_new_tokens = 10;
  c.ignore_eos = true;
  auto r = run(c, {0, 1, 2}, 5);
  CHECK(r.tokens == std::vector<int64_t>{3, 4});
  CHECK(r.reason == StopReason::context);
  CHECK_THROWS_WITH(run(c, {0, 1, 2, 3, 4}, 5), Catch::Contains("no room"));
  c.strategy = "beam";
  c.num_beams = 2;
  CHECK(run(c, {0, 1, 2}, 5).reason == StopReason::context);
}

TEST_CASE("stopping: stop strings need a detokenizer; bad prompts are clear errors") {
  GenerateConfig c;
  c.stop_strings = {"x"};
  auto model = counter(6);
  CHECK_THROWS_WITH(generate(model, {{0}}, {c, 0, 5, {}, {}}), Catch::Contains("tokenizer"));
  c.stop_strings = {};
  CHECK_THROWS_WITH(generate(model, {{}}, {c, 0, 5, {}, {}}), Catch::Contains("no tokens"));
  CHECK_THROWS_WITH(generate(model, {{9}}, {c, 0, 5, {}, {}}),
                    Catch::Contains("outside the vocabulary"));
}

TEST_CASE("streaming: on_token sees every token as it is chosen, on_result every prompt") {
  GenerateConfig c;
  c.max_new_tokens = 3;
  auto model = counter(6);
  std::vector<int64_t> streamed, finished;
  GenerateCallbacks callbacks;
  callbacks.on_token = [&](const TokenEvent& e) {
    if (e.prompt_index == 1) streamed.push_back(e.token);
  };
  callbacks.on_result = [&](int64_t index, const std::vector<GenerationResult>&) {
    finished.push_back(index);
  };
  generate(model, {{0}, {2}}, {c, 0, 5, {}, decode}, callbacks);
  CHECK(streamed == std::vector<int64_t>{3, 4, 5});
  CHECK(finished == std::vector<int64_t>{0, 1});
}

TEST_CASE("stopping: --stop text as a shell passes it: \\n, \\t and \\\\ unescaped") {
  CHECK(unescape_stop_string("\\n\\nQ:") == "\n\nQ:");
  CHECK(unescape_stop_string("a\\tb") == "a\tb");
  CHECK(unescape_stop_string("C:\\\\x") == "C:\\x");
  // Anything else, and a final backslash, as typed.
  CHECK(unescape_stop_string("\\q\\") == "\\q\\");
  CHECK(unescape_stop_string("").empty());
}
