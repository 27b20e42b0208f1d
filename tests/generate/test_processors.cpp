// Every processor on a 4-6 token distribution against hand-computed results.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "generate/generate_config.h"
#include "generate/processor_registry.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/epsilon.h"
#include "generate/processors/eta.h"
#include "generate/processors/frequency_penalty.h"
#include "generate/processors/min_new_tokens.h"
#include "generate/processors/min_p.h"
#include "generate/processors/no_repeat_ngram.h"
#include "generate/processors/presence_penalty.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/processors/typical_p.h"
#include "processor_rows.h"

using namespace gpt2;
using namespace gpt2::test;

namespace {

// Applies the chain a config enables to `logits` (one row) with the given history.
std::vector<float> processed(const GenerateConfig& config, std::vector<float> logits,
                             TokenHistory history = {}, std::vector<int64_t> stop_ids = {},
                             std::vector<std::vector<int64_t>> banned = {}) {
  config.validate();
  ProcessorContext context{config, static_cast<int64_t>(logits.size()), stop_ids, banned};
  auto chain = build_processors(context);
  auto scores = at::tensor(logits, at::kFloat).unsqueeze(0);  // (1, V)
  chain.apply(scores, {history});
  auto out = scores.squeeze(0).contiguous();
  return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
}

}  // namespace

TEST_CASE("temperature divides the logits") {
  auto c = sampling();
  c.processor<TemperatureOptions>().temperature = 0.5;
  auto out = processed(c, {1, 2, 3});
  CHECK(out == std::vector<float>{2, 4, 6});
}

TEST_CASE("top_k keeps the k most likely tokens") {
  auto c = sampling();
  c.processor<TopKOptions>().k = 2;
  check_probs(processed(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
  c.processor<TopKOptions>().k = 1;
  check_probs(processed(c, log_of(kProbs)), {0, 0, 0, 1});
  c.processor<TopKOptions>().k = 10;  // more than the vocabulary: nothing removed
  check_probs(processed(c, log_of(kProbs)), kProbs);
}

TEST_CASE("top_p keeps the smallest set with mass >= top_p") {
  auto c = sampling();
  c.processor<TopPOptions>().p = 0.65;  // 0.4 + 0.3 = 0.7 >= 0.65
  check_probs(processed(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
  c.processor<TopPOptions>().p = 0.75;  // 0.7 < 0.75, so 0.2 joins
  check_probs(processed(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
  c.processor<TopPOptions>().p = 0.3;  // the top token alone has 0.4
  check_probs(processed(c, log_of(kProbs)), {0, 0, 0, 1});
  c.processor<TopPOptions>().p = 0.01;  // always at least one token
  check_probs(processed(c, log_of(kProbs)), {0, 0, 0, 1});
}

TEST_CASE("min_p drops tokens below min_p times the top probability") {
  auto c = sampling();
  c.processor<MinPOptions>().p = 0.6;  // threshold 0.24
  check_probs(processed(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
  c.processor<MinPOptions>().p = 0.3;  // threshold 0.12
  check_probs(processed(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
}

TEST_CASE("typical_p keeps the tokens whose surprisal is closest to the entropy") {
  // H = 1.27985; |-log p - H| = 1.0227, 0.3296, 0.0759, 0.3636: order 0.3, 0.2, 0.4, 0.1.
  auto c = sampling();
  c.processor<TypicalPOptions>().p = 0.25;  // 0.3 alone reaches it
  check_probs(processed(c, log_of(kProbs)), {0, 0, 1, 0});
  c.processor<TypicalPOptions>().p = 0.45;  // 0.3 + 0.2
  check_probs(processed(c, log_of(kProbs)), {0, 0.4f, 0.6f, 0});
  c.processor<TypicalPOptions>().p = 0.6;  // 0.3 + 0.2 + 0.4
  check_probs(processed(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
}

TEST_CASE("epsilon drops tokens below epsilon but keeps the most likely") {
  auto c = sampling();
  c.processor<EpsilonOptions>().epsilon = 0.15;
  check_probs(processed(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
  c.processor<EpsilonOptions>().epsilon = 0.5;  // every token is below: the top one stays
  check_probs(processed(c, log_of(kProbs)), {0, 0, 0, 1});
}

TEST_CASE("eta cuts at min(eta, sqrt(eta) exp(-entropy))") {
  // H = 1.27985, exp(-H) = 0.27809.
  auto c = sampling();
  c.processor<EtaOptions>().eta = 0.2;  // min(0.2, 0.44721 * 0.27809 = 0.12436)
  check_probs(processed(c, log_of(kProbs)), {0, 2.f / 9, 3.f / 9, 4.f / 9});
  c.processor<EtaOptions>().eta = 0.9;  // min(0.9, 0.94868 * 0.27809 = 0.26382)
  check_probs(processed(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
  c.processor<EtaOptions>().eta = 0.05;  // 0.05 < 0.0622: nothing below it
  check_probs(processed(c, log_of(kProbs)), kProbs);
}

TEST_CASE("repetition_penalty divides positive and multiplies negative logits of seen tokens") {
  GenerateConfig c;
  c.processor<RepetitionPenaltyOptions>().penalty = 2;
  // Token 1 appears twice but is penalised once; the prompt counts.
  auto out = processed(c, {2, -1, 3, -4}, {{0, 1, 1}, 1});
  CHECK(out == std::vector<float>{1, -2, 3, -4});
}

TEST_CASE("frequency and presence penalties count generated tokens only") {
  GenerateConfig c;
  c.processor<FrequencyPenaltyOptions>().penalty = 0.5;
  TokenHistory history{{4, 1, 1, 2}, 1};  // prompt [4], generated [1, 1, 2]
  CHECK(processed(c, {0, 0, 0, 0, 0}, history) == std::vector<float>{0, -1, -0.5f, 0, 0});
  c.processor<FrequencyPenaltyOptions>().penalty = 0;
  c.processor<PresencePenaltyOptions>().penalty = 0.25;
  CHECK(processed(c, {0, 0, 0, 0, 0}, history) == std::vector<float>{0, -0.25f, -0.25f, 0, 0});
}

TEST_CASE("no_repeat_ngram bans tokens that would repeat an n-gram") {
  const float inf = std::numeric_limits<float>::infinity();
  GenerateConfig c;
  c.processor<NoRepeatNgramOptions>().size = 2;  // [1 2 3 1]: "1 2" was seen, so 2 cannot follow 1
  CHECK(processed(c, {0, 0, 0, 0}, {{1, 2, 3, 1}, 1}) == std::vector<float>{0, 0, -inf, 0});
  c.processor<NoRepeatNgramOptions>().size = 3;  // [1 2 3 1 2]: "1 2 3" was seen
  CHECK(processed(c, {0, 0, 0, 0}, {{1, 2, 3, 1, 2}, 0}) == std::vector<float>{0, 0, 0, -inf});
  c.processor<NoRepeatNgramOptions>().size = 3;  // too short to complete any 3-gram
  CHECK(processed(c, {0, 0, 0, 0}, {{1}, 0}) == std::vector<float>{0, 0, 0, 0});
}

TEST_CASE("min_new_tokens bans the stop ids until enough tokens were generated") {
  const float inf = std::numeric_limits<float>::infinity();
  GenerateConfig c;
  c.processor<MinNewTokensOptions>().count = 2;
  CHECK(processed(c, {0, 0, 0, 0}, {{5, 1}, 1}, {3}) == std::vector<float>{0, 0, 0, -inf});
  CHECK(processed(c, {0, 0, 0, 0}, {{5, 1, 2}, 1}, {3}) == std::vector<float>{0, 0, 0, 0});
}

TEST_CASE("banned sequences ban a single token always and a longer one after its prefix") {
  const float inf = std::numeric_limits<float>::infinity();
  GenerateConfig c;
  c.processor<BannedSequencesOptions>().token_ids = {"2", "0 1"};
  auto banned = c.processor<BannedSequencesOptions>().sequences();
  CHECK(processed(c, {0, 0, 0, 0}, {{3, 0}, 1}, {}, banned) ==
        std::vector<float>{0, -inf, -inf, 0});
  CHECK(processed(c, {0, 0, 0, 0}, {{0, 3}, 1}, {}, banned) == std::vector<float>{0, 0, -inf, 0});
}

TEST_CASE("processors chain in the default order or the configured one") {
  auto c = sampling();
  c.processor<TemperatureOptions>().temperature = 0.5;
  c.processor<TopKOptions>().k = 3;
  c.processor<RepetitionPenaltyOptions>().penalty = 1.2;
  ProcessorContext context{c, 4, {}, {}};
  CHECK(build_processors(context).names() ==
        std::vector<std::string>{"repetition_penalty", "temperature", "top_k"});
  c.processors = {"top_k", "temperature"};  // explicit: only these, in this order
  CHECK(build_processors(context).names() == std::vector<std::string>{"top_k", "temperature"});
  // Deterministic searches leave the warpers out.
  GenerateConfig greedy;
  greedy.processor<RepetitionPenaltyOptions>().penalty = 1.2;
  ProcessorContext greedy_context{greedy, 4, {}, {}};
  CHECK(build_processors(greedy_context).names() == std::vector<std::string>{"repetition_penalty"});
}

TEST_CASE("top_k then top_p: the nucleus is taken from the top-k renormalised") {
  auto c = sampling();
  c.processor<TopKOptions>().k = 3;    // 0.2, 0.3, 0.4 -> 2/9, 3/9, 4/9
  c.processor<TopPOptions>().p = 0.6;  // 4/9 = 0.44 < 0.6, with 3/9: 0.78
  check_probs(processed(c, log_of(kProbs)), {0, 0, 3.f / 7, 4.f / 7});
}
