// Hugging Face parity of the logits processors: cases transcribed from transformers'
// tests/generation/test_logits_process.py (inputs and expected outputs) and hand-computed
// 4-6 token rows, with min_tokens_to_keep, ties at the cut and out-of-range edges.
#include <ATen/ATen.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "fake_model.h"
#include "generate/generate_config.h"
#include "generate/generator.h"
#include "generate/processor_registry.h"
#include "generate/processors/begin_suppress_tokens.h"
#include "generate/processors/epsilon.h"
#include "generate/processors/eta.h"
#include "generate/processors/exponential_decay.h"
#include "generate/processors/forced_eos.h"
#include "generate/processors/min_new_tokens.h"
#include "generate/processors/min_p.h"
#include "generate/processors/no_repeat_ngram.h"
#include "generate/processors/remove_invalid_values.h"
#include "generate/processors/renormalize.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/sequence_bias.h"
#include "generate/processors/suppress_tokens.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_h.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/processors/typical_p.h"
#include "processor_rows.h"

using namespace gpt2;
using namespace gpt2::test;
using Catch::Matchers::Contains;

namespace {

const float kInf = std::numeric_limits<float>::infinity();

using Rows = std::vector<std::vector<float>>;

// Applies the chain a config enables to a batch of rows with their histories.
Rows process_rows(const GenerateConfig& config, const Rows& logits,
                  std::vector<TokenHistory> histories = {}, std::vector<int64_t> stop_ids = {},
                  std::vector<std::vector<int64_t>> banned = {}) {
  config.validate();
  const auto vocab = static_cast<int64_t>(logits[0].size());
  if (histories.empty()) histories.assign(logits.size(), TokenHistory{{0}, 1});
  ProcessorContext context{config, vocab, stop_ids, banned};
  auto chain = build_processors(context);
  std::vector<float> flat;
  for (const auto& row : logits) flat.insert(flat.end(), row.begin(), row.end());
  auto scores = at::tensor(flat, at::kFloat).reshape({static_cast<int64_t>(logits.size()), vocab});
  chain.apply(scores, histories);
  scores = scores.contiguous();
  Rows out;
  for (int64_t b = 0; b < scores.size(0); ++b)
    out.emplace_back(scores[b].data_ptr<float>(), scores[b].data_ptr<float>() + vocab);
  return out;
}

std::vector<float> process_row(const GenerateConfig& config, const std::vector<float>& logits,
                               TokenHistory history = {{0}, 1},
                               std::vector<int64_t> stop_ids = {}) {
  return process_rows(config, {logits}, {history}, stop_ids)[0];
}

// exp(scores) equals `expected`: Hugging Face's tests compare the filtered log-probabilities
// without renormalising (removed tokens are 0).
void check_exp(const std::vector<float>& scores, const std::vector<float>& expected) {
  REQUIRE(scores.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("token " << i);
    CHECK(std::exp(scores[i]) == Approx(expected[i]).margin(1e-6));
  }
}

int64_t kept(const std::vector<float>& scores) {
  int64_t n = 0;
  for (float s : scores) n += std::isfinite(s) ? 1 : 0;
  return n;
}

// HF's ramp: row 0 is arange(10) - 5, row 1 the same times 100 (one token holds the mass).
Rows ramp() {
  Rows rows(2, std::vector<float>(10));
  for (int i = 0; i < 10; ++i) {
    rows[0][static_cast<size_t>(i)] = static_cast<float>(i - 5);
    rows[1][static_cast<size_t>(i)] = static_cast<float>(i - 5) * 100;
  }
  return rows;
}

}  // namespace

TEST_CASE("hf parity: top_k keeps max(k, min_tokens_to_keep) and every tie with the last") {
  auto c = sampling(3);
  c.processor<TopKOptions>().k = 1;  // raised to 3
  check_probs(process_row(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
  c = sampling();
  c.processor<TopKOptions>().k = 2;  // 2 and 2 tie at the cut: both stay
  CHECK(process_row(c, {1, 2, 2, 3}) == std::vector<float>{-kInf, 2, 2, 3});
  c = sampling(10);  // more than the vocabulary
  c.processor<TopKOptions>().k = 1;
  CHECK(kept(process_row(c, log_of(kProbs))) == 4);
}

TEST_CASE("hf parity: top_p as test_top_p_dist_warper, with ties and min_tokens_to_keep") {
  auto c = sampling();
  c.processor<TopPOptions>().p = 0.8;
  // Ascending cumulative mass 0.1, 0.2, ...: both 0.1s are <= 1 - 0.8 and go.
  auto out =
      process_rows(c, {log_of({0.3f, 0.1f, 0.1f, 0.5f}), log_of({0.15f, 0.3f, 0.3f, 0.25f})});
  check_exp(out[0], {0.3f, 0, 0, 0.5f});
  check_exp(out[1], {0, 0.3f, 0.3f, 0.25f});
  // Ramp, top_p 0.9, min_tokens_to_keep 2: row 0 needs 3 tokens (0.632 + 0.233 + 0.086);
  // row 1 would keep 1 and keeps 2.
  c = sampling(2);
  c.processor<TopPOptions>().p = 0.9;
  auto r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 3);
  CHECK(kept(r[1]) == 2);
  CHECK(std::isfinite(r[1][8]));
  CHECK(std::isfinite(r[1][9]));
  // The top token alone has 0.4 >= 0.3, but min_tokens_to_keep 2 keeps 0.3 outside the nucleus.
  c = sampling(2);
  c.processor<TopPOptions>().p = 0.3;
  check_probs(process_row(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
}

TEST_CASE("hf parity: typical_p as test_typical_dist_warper, ties at the cut kept") {
  auto c = sampling();
  c.processor<TypicalPOptions>().p = 0.5;
  // Row 1: H = 1.3322; |-log p - H| is 0.277 for the three 0.2s and 0.416 for 0.4. The mass
  // reaches 0.5 at the third 0.2; the three tie, so all stay and 0.4 goes.
  auto out =
      process_rows(c, {log_of({0.97f, 0.01f, 0.01f, 0.01f}), log_of({0.4f, 0.2f, 0.2f, 0.2f})});
  check_exp(out[0], {0.97f, 0, 0, 0});
  check_exp(out[1], {0, 0.2f, 0.2f, 0.2f});
  // Uniform logits are unchanged (every token is as typical as the others).
  c = sampling(3);
  CHECK(kept(process_rows(c, {{0, 0, 0, 0, 0}})[0]) == 5);
  // Ramp, typical_p 0.7, min_tokens_to_keep 2: row 0 keeps 2 (0.233, 0.632), row 1 keeps 1 -> 2.
  c = sampling(2);
  c.processor<TypicalPOptions>().p = 0.7;
  auto r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 2);
  CHECK(kept(r[1]) == 2);
}

TEST_CASE("hf parity: min_p as test_min_p_dist_warper, exactly min_tokens_to_keep at a tie") {
  auto c = sampling();
  c.processor<MinPOptions>().p = 0.05;  // threshold 0.045 in row 0; 0.015 in row 1
  auto out = process_rows(
      c, {log_of({0.9f, 0.0274f, 0.047f, 0.0259f}), log_of({0.15f, 0.3f, 0.3f, 0.25f})});
  check_exp(out[0], {0.9f, 0, 0.047f, 0});
  check_exp(out[1], {0.15f, 0.3f, 0.3f, 0.25f});
  // Ramp, min_p 0.9: each row keeps only its top token; min_tokens_to_keep 2 keeps two.
  c = sampling(2);
  c.processor<MinPOptions>().p = 0.9;
  auto r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 2);
  CHECK(kept(r[1]) == 2);
  // Tokens 1 and 2 tie below the threshold at the cut: Hugging Face keeps exactly
  // min_tokens_to_keep by topk's indices, so one of the two stays.
  auto tie = process_row(c, {3, 1, 1, 0});
  CHECK(std::isfinite(tie[0]));
  CHECK(kept(tie) == 2);
  CHECK(std::isfinite(tie[1]) != std::isfinite(tie[2]));
}

TEST_CASE("hf parity: epsilon as test_epsilon_dist_warper, all ties with the last kept") {
  auto c = sampling();
  c.processor<EpsilonOptions>().epsilon = 0.1;
  auto out = process_rows(
      c, {log_of({0.87f, 0.099f, 0.001f, 0.03f}), log_of({0.4f, 0.299f, 0.101f, 0.2f})});
  check_exp(out[0], {0.87f, 0, 0, 0});
  check_exp(out[1], {0.4f, 0.299f, 0.101f, 0.2f});
  c = sampling(2);
  c.processor<EpsilonOptions>().epsilon =
      0.05;  // ramp: 0.632, 0.233, 0.086 are >= 0.05; row 1 keeps 1 -> 2
  auto r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 3);
  CHECK(kept(r[1]) == 2);
  // Uniform 0.25 < 0.3 everywhere: the 2nd highest ties with all, so all four stay.
  c.processor<EpsilonOptions>().epsilon = 0.3;
  CHECK(kept(process_row(c, {0, 0, 0, 0})) == 4);
}

TEST_CASE("hf parity: eta as test_eta_dist_warper, with min_tokens_to_keep") {
  auto c = sampling();
  c.processor<EtaOptions>().eta = 0.0625;
  // sqrt(0.0625) exp(-H) is 0.132 and 0.164, so the cut is 0.0625 in both rows.
  auto out =
      process_rows(c, {log_of({0.0f, 0.1f, 0.8f, 0.1f}), log_of({0.01f, 0.04f, 0.9f, 0.05f})});
  check_exp(out[0], {0, 0.1f, 0.8f, 0.1f});
  check_exp(out[1], {0, 0, 0.9f, 0});
  // Ramp, eta 0.1: H = 1.040, cut min(0.1, 0.112) = 0.1 keeps 0.632 and 0.233 in row 0.
  c = sampling(2);
  c.processor<EtaOptions>().eta = 0.1;
  auto r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 2);
  CHECK(kept(r[1]) == 2);
  c.min_tokens_to_keep = 3;
  r = process_rows(c, ramp());
  CHECK(kept(r[0]) == 3);
  CHECK(kept(r[1]) == 3);
}

TEST_CASE("hf parity: top_h keeps tokens while their entropy is within top_h * H") {
  // Descending 0.4, 0.3, 0.2, 0.1: -p log p = 0.3665, 0.3612, 0.3219, 0.2303; H = 1.2799;
  // running sums over H: 0.286, 0.569, 0.820, 1.
  auto c = sampling();
  c.processor<TopHOptions>().h = 0.5;
  check_probs(process_row(c, log_of(kProbs)), {0, 0, 0, 1});
  c.processor<TopHOptions>().h = 0.6;
  check_probs(process_row(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
  c.processor<TopHOptions>().h = 0.85;
  check_probs(process_row(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
  // 150 equal logits: only the top 100 count, H = log 100 and each term is H / 100, so
  // 0.255 keeps 25 (the whole vocabulary would give log 150 and keep 38).
  c.processor<TopHOptions>().h = 0.255;
  CHECK(kept(process_row(c, std::vector<float>(150, 0.f))) == 25);
  CHECK(build_processors({c, 4, {}, {}}).names() == std::vector<std::string>{"top_h"});
}

TEST_CASE("hf parity: repetition penalty as test_repetition_penalty_dist_process") {
  GenerateConfig c;
  c.processor<RepetitionPenaltyOptions>().penalty = 2;
  // Uniform 1/10 with scores[0, 0] = -1/10 and scores[1, 5] = 4/10; ids [0, 1] and [5, 0].
  Rows scores(2, std::vector<float>(10, 0.1f));
  scores[0][0] = -0.1f;
  scores[1][5] = 0.4f;
  auto out = process_rows(c, scores, {{{0, 1}, 2}, {{5, 0}, 2}});
  CHECK(out[0][0] == Approx(-0.2f));
  CHECK(out[0][1] == Approx(0.05f));
  CHECK(out[0][2] == Approx(0.1f));
  CHECK(out[1][0] == Approx(0.05f));
  CHECK(out[1][5] == Approx(0.2f));
}

TEST_CASE("hf parity: repetition penalty prompt_ignore_length and normalize") {
  GenerateConfig c;
  c.processor<RepetitionPenaltyOptions>().penalty = 2;
  c.processor<RepetitionPenaltyOptions>().prompt_ignore_length =
      1;  // [0 | 1 1]: token 0 no longer counts
  CHECK(process_row(c, {2, -1, 3, -4}, {{0, 1, 1}, 1}) == std::vector<float>{2, -2, 3, -4});
  c.processor<RepetitionPenaltyOptions>().prompt_ignore_length =
      5;  // longer than the history: nothing counts
  CHECK(process_row(c, {2, -1, 3, -4}, {{0, 1, 1}, 1}) == std::vector<float>{2, -1, 3, -4});
  // normalize: log-softmax first (uniform: log 0.25), then seen log-probs times the penalty.
  c.processor<RepetitionPenaltyOptions>().prompt_ignore_length = 0;
  c.processor<RepetitionPenaltyOptions>().normalize = true;
  auto out = process_row(c, {5, 5, 5, 5}, {{1}, 1});
  CHECK(out[0] == Approx(std::log(0.25f)));
  CHECK(out[1] == Approx(std::log(0.0625f)));
  CHECK(out[3] == Approx(std::log(0.25f)));
  // Already log-probabilities: only the seen token 3 moves, 2 log 0.4 = log 0.16.
  out = process_row(c, log_of(kProbs), {{3, 3}, 1});
  check_exp(out, {0.1f, 0.2f, 0.3f, 0.16f});
  // Options without the penalty are an error, not silently ignored.
  GenerateConfig off;
  off.processor<RepetitionPenaltyOptions>().normalize = true;
  CHECK_THROWS_WITH(off.validate(), Contains("only apply with repetition_penalty != 1"));
}

TEST_CASE("hf parity: bad words as test_no_bad_words_dist_processor") {
  GenerateConfig c;
  // eos 4: the entry [4] is dropped, so end-of-text stays possible.
  std::vector<std::vector<int64_t>> bad = {{1}, {4}, {1, 0}, {0, 1, 2}, {1, 3, 1, 3}};
  Rows uniform(2, std::vector<float>(5, 0.2f));
  auto out = process_rows(c, uniform, {{{0, 1, 3, 1}, 1}, {{0, 1, 0, 1}, 1}}, {4}, bad);
  CHECK(out[0] == std::vector<float>{-kInf, -kInf, 0.2f, -kInf, 0.2f});
  CHECK(out[1] == std::vector<float>{-kInf, -kInf, -kInf, 0.2f, 0.2f});
  // Only [eos]: no processor at all.
  ProcessorContext only_eos{c, 5, {4}, {{4}}};
  CHECK(build_processors(only_eos).empty());
  // With ignore_eos (4 not a stop id) the same entry bans it.
  CHECK(process_rows(c, {uniform[0]}, {{{0}, 1}}, {}, {{4}})[0] ==
        std::vector<float>{0.2f, 0.2f, 0.2f, 0.2f, -kInf});
}

TEST_CASE("hf parity: a banned sequence longer than the history bans nothing") {
  GenerateConfig c;
  Rows zeros = {{0, 0, 0, 0}};
  // [0 2] after the one-token history [0]: its prefix is the whole history, but the entry is
  // longer than it, so Hugging Face skips it.
  CHECK(process_rows(c, zeros, {{{0}, 1}}, {}, {{0, 2}})[0] == std::vector<float>{0, 0, 0, 0});
  CHECK(process_rows(c, zeros, {{{3, 0}, 1}}, {}, {{0, 2}})[0] ==
        std::vector<float>{0, 0, -kInf, 0});
}

TEST_CASE("hf parity: sequence_bias as test_bias_dist_processor") {
  GenerateConfig c;
  c.processor<SequenceBiasOptions>().entries = {
      "1 = 100", "4 = 100", "1 0 = -100", "0 1 2 = -100", "1 3 1 3 = -100", "1 3 1 3 1 3 = -100"};
  Rows zeros(2, std::vector<float>(5, 0.f));
  auto out = process_rows(c, zeros, {{{0, 1, 3, 1}, 1}, {{0, 1, 0, 1}, 1}});
  CHECK(out[0] == std::vector<float>{-100, 100, 0, -100, 100});
  CHECK(out[1] == std::vector<float>{-100, 100, -100, 0, 100});
}

TEST_CASE(
    "hf parity: sequence_bias adds up per token and skips sequences longer than the history") {
  GenerateConfig c;
  c.processor<SequenceBiasOptions>().entries = {"2 = 1.5", "1 2 = -4", "0 1 2 = 0.25"};
  // [1]: "1 2" has 2 tokens > 1, skipped; only the one-token bias.
  CHECK(process_row(c, {0, 0, 0, 0}, {{1}, 1}) == std::vector<float>{0, 0, 1.5f, 0});
  // [0 1]: "1 2" applies; "0 1 2" has 3 tokens > 2, skipped.
  CHECK(process_row(c, {0, 0, 0, 0}, {{0, 1}, 1}) == std::vector<float>{0, 0, -2.5f, 0});
  // [5 0 1]: all three apply: 1.5 - 4 + 0.25.
  CHECK(process_rows(c, {{0, 0, 0, 0, 0, 0}}, {{{5, 0, 1}, 1}})[0] ==
        std::vector<float>{0, 0, -2.25f, 0, 0, 0});
}

TEST_CASE("hf parity: sequence_bias entries are checked with a clear error") {
  GenerateConfig c;
  c.processor<SequenceBiasOptions>().entries = {"464 3290 -2.5"};
  CHECK_THROWS_WITH(c.validate(), Contains("must be ids = bias"));
  c.processor<SequenceBiasOptions>().entries = {"464 x = 1"};
  CHECK_THROWS_WITH(c.validate(), Contains("\"x\" is not a token id"));
  c.processor<SequenceBiasOptions>().entries = {"464 = big"};
  CHECK_THROWS_WITH(c.validate(), Contains("is not a finite number"));
  c.processor<SequenceBiasOptions>().entries = {" = 1"};
  CHECK_THROWS_WITH(c.validate(), Contains("has no token ids"));
  c.processor<SequenceBiasOptions>().entries = {"1 2 = 1", "1  2 = 3"};
  CHECK_THROWS_WITH(c.validate(), Contains("appear twice"));
  c.processor<SequenceBiasOptions>().entries = {"7 = 1"};
  ProcessorContext context{c, 5, {}, {}};
  CHECK_THROWS_WITH(build_processors(context), Contains("outside the vocabulary (size 5)"));
}

TEST_CASE("hf parity: forced_eos_token_id at the last allowed position") {
  GenerateConfig c;
  c.max_new_tokens = 5;
  c.processor<ForcedEosOptions>().token_id = 0;
  // 4 generated: the 5th (last) must be id 0, scored 0, everything else -inf.
  CHECK(process_row(c, {1, 2, 3}, {{7, 1, 1, 1, 1}, 1}) == std::vector<float>{0, -kInf, -kInf});
  CHECK(process_row(c, {1, 2, 3}, {{7, 1, 1, 1}, 1}) == std::vector<float>{1, 2, 3});
  c.processor<ForcedEosOptions>().token_id = 3;
  ProcessorContext context{c, 3, {}, {}};
  CHECK_THROWS_WITH(build_processors(context), Contains("forced_eos_token_id: token id 3"));
}

TEST_CASE("hf parity: exponential decay raises the stop ids after start") {
  GenerateConfig c;
  c.processor<ExponentialDecayOptions>().start = 2;
  c.processor<ExponentialDecayOptions>().factor = 1.5;
  // 4 generated, start 2: gain 1.5^2 - 1 = 1.25 on stop id 3: 2 -> 4.5, -2 -> 0.5.
  CHECK(process_row(c, {1, 1, 1, 2, 1}, {{9, 1, 1, 1, 1}, 1}, {3}) ==
        std::vector<float>{1, 1, 1, 4.5f, 1});
  CHECK(process_row(c, {1, 1, 1, -2, 1}, {{9, 1, 1, 1, 1}, 1}, {3}) ==
        std::vector<float>{1, 1, 1, 0.5f, 1});
  // 2 generated: not after start yet.
  CHECK(process_row(c, {1, 1, 1, 2, 1}, {{9, 1, 1}, 1}, {3}) == std::vector<float>{1, 1, 1, 2, 1});
  ProcessorContext no_stop{c, 5, {}, {}};
  CHECK_THROWS_WITH(build_processors(no_stop), Contains("there is none"));
}

TEST_CASE("hf parity: suppress_tokens always, begin_suppress_tokens at the first new token") {
  GenerateConfig c;
  c.processor<SuppressTokensOptions>().ids = {1, 3};
  c.processor<BeginSuppressTokensOptions>().ids = {0};
  CHECK(process_row(c, {1, 1, 1, 1}, {{2}, 1}) == std::vector<float>{-kInf, -kInf, 1, -kInf});
  CHECK(process_row(c, {1, 1, 1, 1}, {{2, 2}, 1}) == std::vector<float>{1, -kInf, 1, -kInf});
  c.processor<BeginSuppressTokensOptions>().ids = {4};
  ProcessorContext context{c, 4, {}, {}};
  CHECK_THROWS_WITH(build_processors(context), Contains("begin_suppress_tokens: token id 4"));
}

TEST_CASE("hf parity: remove_invalid_values as test_remove_nan_inf_logits_processor") {
  GenerateConfig c;
  c.processor<RemoveInvalidValuesOptions>().enabled = true;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float top = std::numeric_limits<float>::max();
  auto out = process_rows(c, {{0.0f, 0.7f, 0.8f, nan}, {0.1f, kInf, 0.3f, -kInf}});
  CHECK(out[0] == std::vector<float>{0.0f, 0.7f, 0.8f, 0.0f});
  CHECK(out[1] == std::vector<float>{0.1f, top, 0.3f, -top});
}

TEST_CASE("hf parity: renormalize_logits log-softmaxes after the warpers") {
  auto c = sampling();
  c.processor<TopKOptions>().k = 2;
  c.processor<RenormalizeOptions>().enabled = true;
  ProcessorContext context{c, 3, {}, {}};
  CHECK(build_processors(context).names() ==
        std::vector<std::string>{"top_k", "renormalize_logits"});
  auto out = process_row(c, {1, 2, 3});
  CHECK(out[0] == -kInf);
  CHECK(std::exp(out[1]) == Approx(1 / (1 + std::exp(1.0))));
  CHECK(std::exp(out[2]) == Approx(std::exp(1.0) / (1 + std::exp(1.0))));
}

TEST_CASE("hf parity: the default chain runs in Hugging Face's order") {
  auto c = sampling();
  c.processor<SequenceBiasOptions>().entries = {"1 = 1"};
  c.processor<RepetitionPenaltyOptions>().penalty = 1.1;
  c.processor<NoRepeatNgramOptions>().size = 2;
  c.processor<MinNewTokensOptions>().count = 1;
  c.processor<ForcedEosOptions>().token_id = 0;
  c.processor<RemoveInvalidValuesOptions>().enabled = true;
  c.processor<ExponentialDecayOptions>().factor = 1.1;
  c.processor<SuppressTokensOptions>().ids = {2};
  c.processor<BeginSuppressTokensOptions>().ids = {3};
  c.processor<TemperatureOptions>().temperature = 0.7;
  c.processor<TopHOptions>().h = 0.9;
  c.processor<TopKOptions>().k = 3;
  c.processor<TopPOptions>().p = 0.9;
  c.processor<MinPOptions>().p = 0.1;
  c.processor<TypicalPOptions>().p = 0.9;
  c.processor<EpsilonOptions>().epsilon = 0.01;
  c.processor<EtaOptions>().eta = 0.01;
  c.processor<RenormalizeOptions>().enabled = true;
  ProcessorContext context{c, 8, {0}, {{5}}};
  CHECK(build_processors(context).names() ==
        std::vector<std::string>{"sequence_bias", "repetition_penalty", "no_repeat_ngram",
                                 "banned_sequences", "min_new_tokens", "forced_eos",
                                 "remove_invalid_values", "exponential_decay", "suppress_tokens",
                                 "begin_suppress_tokens", "temperature", "top_h", "top_k", "top_p",
                                 "min_p", "typical_p", "epsilon", "eta", "renormalize_logits"});
}

TEST_CASE("hf parity: greedy transition scores are the processed logits of the chosen tokens") {
  // compute_transition_scores(normalize_logits=False) on output_scores: the chosen token's
  // score after the processors; the logprobs are the normalize_logits=True version.
  GenerateConfig c;
  c.max_new_tokens = 4;
  c.processor<RepetitionPenaltyOptions>().penalty = 2;
  const int64_t vocab = 5;
  test::FunctionSource model(
      vocab, 64, [](const std::vector<int64_t>& t) { return test::wiggly_logits(t, vocab); });
  auto result = generate(model, {{3, 1}}, {c, 0, -1, {}, {}})[0][0];
  std::vector<int64_t> history = {3, 1};
  REQUIRE(result.transition_scores.size() == 4);
  for (size_t step = 0; step < 4; ++step) {
    auto logits = test::wiggly_logits(history, vocab);
    for (int64_t v = 0; v < vocab; ++v)
      if (std::find(history.begin(), history.end(), v) != history.end()) {
        auto& x = logits[static_cast<size_t>(v)];
        x = x < 0 ? x * 2 : x / 2;
      }
    const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
    double norm = 0;
    for (float x : logits) norm += std::exp(static_cast<double>(x));
    INFO("step " << step);
    CHECK(result.tokens[step] == best);
    CHECK(result.transition_scores[step] == Approx(logits[static_cast<size_t>(best)]));
    CHECK(result.logprobs[step] ==
          Approx(logits[static_cast<size_t>(best)] - std::log(norm)).epsilon(1e-5));
    history.push_back(best);
  }
}
