// DRY (llama.cpp's dry sampler) on small histories: the penalties are computed by hand from
// the repeats each history contains.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "generate/generate_config.h"
#include "generate/processor_registry.h"
#include "generate/processors/dry.h"

using namespace gpt2;

namespace {

GenerateConfig dry(double multiplier, double base, int64_t allowed, int64_t last_n = -1) {
  GenerateConfig c;
  c.processor<DryOptions>().multiplier = multiplier;
  c.processor<DryOptions>().base = base;
  c.processor<DryOptions>().allowed_length = allowed;
  c.processor<DryOptions>().penalty_last_n = last_n;
  return c;
}

// The chain the config enables, on zero logits over `vocab` tokens after `history`.
std::vector<float> penalised(const GenerateConfig& config, std::vector<int64_t> history,
                             std::vector<std::vector<int64_t>> breakers = {}, int64_t vocab = 10) {
  config.validate();
  ProcessorContext context{config, vocab, {}, {}, breakers};
  auto chain = build_processors(context);
  auto scores = at::zeros({1, vocab}, at::kFloat);  // (1, V)
  chain.apply(scores, {TokenHistory{history, 1}});
  auto out = scores.squeeze(0).contiguous();
  return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
}

// Zero logits except `changes`.
std::vector<float> expected(std::vector<std::pair<int64_t, float>> changes, int64_t vocab = 10) {
  std::vector<float> out(static_cast<size_t>(vocab), 0.f);
  for (auto [token, value] : changes) out[static_cast<size_t>(token)] = value;
  return out;
}

void check(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("token " << i);
    CHECK(got[i] == Approx(want[i]).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("dry: the token after an earlier copy of the suffix is penalised by its length") {
  // 0 1 2 3 0 1 2: the suffix "0 1 2" (3 tokens) appeared before, followed by 3.
  check(penalised(dry(1, 2, 2), {0, 1, 2, 3, 0, 1, 2}), expected({{3, -2.f}}));     // 1 * 2^(3-2)
  check(penalised(dry(0.5, 3, 1), {0, 1, 2, 3, 0, 1, 2}), expected({{3, -4.5f}}));  // 0.5 * 3^2
  // Off: multiplier 0 or window 0 adds no processor.
  check(penalised(dry(0, 2, 2), {0, 1, 2, 3, 0, 1, 2}), expected({}));
  check(penalised(dry(1, 2, 2, 0), {0, 1, 2, 3, 0, 1, 2}), expected({}));
}

TEST_CASE("dry: each continuation gets the penalty of the longest repeat it extends") {
  // 0 1 9 1 9 2 0 1 9: "0 1 9" (3) was followed by 1; "1 9" (2) by 2.
  check(penalised(dry(1, 1.75, 2), {0, 1, 9, 1, 9, 2, 0, 1, 9}),
        expected({{1, -1.75f}, {2, -1.f}}));
  // 0 1 9 5 7 1 9 5 0 1 9: 5 follows "0 1 9" (3) and "1 9" (2): the longer one counts, once.
  check(penalised(dry(1, 1.75, 2), {0, 1, 9, 5, 7, 1, 9, 5, 0, 1, 9}), expected({{5, -1.75f}}));
  // Repeats may overlap the suffix: 4 4 4 4: "4 4 4" ending one token back is followed by 4.
  check(penalised(dry(1, 2, 2), {4, 4, 4, 4}), expected({{4, -2.f}}));
  // Nothing repeats.
  check(penalised(dry(1, 2, 1), {0, 1, 2, 3, 4}), expected({}));
}

TEST_CASE("dry: allowed_length is the shortest repeat that is penalised") {
  const std::vector<int64_t> h = {0, 1, 2, 3, 0, 1, 2};      // a repeat of 3 before 3
  check(penalised(dry(1, 2, 3), h), expected({{3, -1.f}}));  // 2^0
  check(penalised(dry(1, 2, 4), h), expected({}));
  // allowed_length 0: every token that followed anything counts, the empty repeat included
  // (1 * 2^0), and 3 extends the repeat of 3 (2^3).
  check(penalised(dry(1, 2, 0), h), expected({{1, -1.f}, {2, -1.f}, {3, -8.f}, {0, -1.f}}));
  // A history no longer than allowed_length is left alone.
  check(penalised(dry(1, 2, 2), {5, 5}), expected({}));
}

TEST_CASE("dry: a sequence breaker limits how far back a repeat reaches") {
  const std::vector<int64_t> h = {0, 1, 2, 3, 0, 1, 2};
  // Breaker 1: only "2" follows it, shorter than allowed_length 2.
  check(penalised(dry(1, 2, 2), h, {{1}}), expected({}));
  // Breaker 0: "1 2" follows it, so the repeat before 3 counts as 2 tokens (2^0).
  check(penalised(dry(1, 2, 2), h, {{0}}), expected({{3, -1.f}}));
  // Two-token breaker "0 1": the repeat after it is "2" alone.
  check(penalised(dry(1, 2, 2), h, {{0, 1}}), expected({}));
  // "0 5" does not occur, so it breaks nothing.
  check(penalised(dry(1, 2, 2), h, {{0, 5}}), expected({{3, -2.f}}));
  // A one-token breaker is never penalised itself: 3 follows the repeat but stays.
  check(penalised(dry(1, 2, 2), h, {{3}}), expected({}));
}

TEST_CASE("dry: penalty_last_n scans only the latest tokens") {
  const std::vector<int64_t> h = {0, 1, 2, 3, 0, 1, 2};
  check(penalised(dry(1, 2, 2, 4), h), expected({}));             // 3 0 1 2
  check(penalised(dry(1, 2, 2, 6), h), expected({{3, -1.f}}));    // 1 2 3 0 1 2: "1 2"
  check(penalised(dry(1, 2, 2, 7), h), expected({{3, -2.f}}));    // everything
  check(penalised(dry(1, 2, 2, 100), h), expected({{3, -2.f}}));  // more than there is
}

TEST_CASE("dry: the exponent is capped so the penalty stays finite") {
  // base 1e10: log(FLT_MAX) / log(1e10) = 3.85, so the exponent stops at 3.
  std::vector<int64_t> h(12, 7);  // 7 x 12: 7 extends a repeat of 11
  auto out = penalised(dry(1, 1e10, 2), h);
  CHECK(out[7] == Approx(-1e30f).epsilon(1e-5));
}

TEST_CASE("dry: breaker texts become token sequences as llama.cpp builds them") {
  const std::vector<std::string> pieces = {"a", "b", "c:", ":", "xa", "d", "ab"};
  auto piece = [&](int64_t id) { return pieces[static_cast<size_t>(id)]; };
  auto encode = [](const std::string& text) {
    REQUIRE(text == "b");
    return std::vector<int64_t>{1};
  };
  // ":" is inside "c:" and ":"; "ab" is inside "ab", and "a" and "xa" end with its prefix "a".
  auto sequences = DryProcessor::breaker_sequences({":", "ab"}, 7, piece, encode);
  CHECK(sequences == std::vector<std::vector<int64_t>>{{0, 1}, {2}, {3}, {4, 1}, {6}});
  CHECK_THROWS_AS(DryProcessor::breaker_sequences({""}, 7, piece, encode), Error);
}

TEST_CASE("dry: settings are checked by their rules") {
  auto rejects = [](GenerateConfig c) {
    CHECK_THROWS_AS(validate_config({section_ref(c)}), Error);
  };
  rejects(dry(1, 0.5, 2));    // base < 1
  rejects(dry(1, 2, 2, -2));  // window < -1
  rejects(dry(-1, 2, 2));     // negative multiplier
  rejects(dry(1, 2, -1));     // negative allowed length
  auto c = dry(1, 2, 2);
  CHECK_NOTHROW(validate_config({section_ref(c)}));
}
