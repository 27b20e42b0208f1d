// Sampling comparison: window selection by hand, and an end-to-end run on a tiny model whose
// human-row perplexity is recomputed independently.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "compare/comparison.h"
#include "core/error.h"
#include "core/files.h"
#include "generate/processors/banned_sequences.h"
#include "io/checkpoint.h"
#include "metrics/bleu.h"
#include "test_support.h"
#include "tiny_comparison_model.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("prompt windows are seeded, disjoint and in text order") {
  test::TempDir tmp;
  write_file_atomic(tmp.file("text.txt"), std::string(2000, 'a') + "bcdefgh\n");
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.inputs = {tmp.file("text.txt")};
  auto tokenizer = train_sentencepiece(options);
  std::vector<int64_t> tokens(100);
  for (int64_t i = 0; i < 100; ++i) tokens[i] = 3 + i % 5;
  CompareConfig config;
  config.num_prompts = 4;
  config.prompt_tokens = 3;
  config.reference_tokens = 2;
  auto pairs = windows_from_tokens(tokens, config, *tokenizer);
  REQUIRE(pairs.size() == 4);
  int64_t previous_end = -1;
  for (const auto& pair : pairs) {
    REQUIRE(pair.prompt.size() == 3);
    REQUIRE(pair.reference.size() == 2);
    // Windows sit on 5-token slots: find this one's start from its first token's position.
    auto start = std::search(tokens.begin() + std::max<int64_t>(0, previous_end), tokens.end(),
                             pair.prompt.begin(), pair.prompt.end()) -
                 tokens.begin();
    CHECK(start % 5 == 0);
    CHECK(start >= previous_end);
    CHECK(std::equal(pair.reference.begin(), pair.reference.end(), tokens.begin() + start + 3));
    previous_end = start + 5;
  }
  auto again = windows_from_tokens(tokens, config, *tokenizer);
  CHECK(again[2].prompt == pairs[2].prompt);
  config.num_prompts = 21;  // 100 tokens hold 20 windows of 5
  REQUIRE_THROWS_WITH(windows_from_tokens(tokens, config, *tokenizer),
                      Contains("room for 20 windows of 5 tokens"));
}

TEST_CASE("a comparison scores settings and the references the same way") {
  test::TempDir tmp;
  test::write_tiny_comparison_model(tmp, 20000, 32, 3);

  CompareConfig config;
  config.model = tmp.file("model");
  config.text = {tmp.file("text.txt")};
  config.num_prompts = 6;
  config.prompt_tokens = 16;
  config.reference_tokens = 12;
  config.seeds = {1, 2};
  config.bootstrap = 50;
  config.out_dir = tmp.file("out");
  NamedSetting greedy{"greedy", {}};
  greedy.generate.max_new_tokens = 12;
  NamedSetting sample{"sample", {}};
  sample.generate.strategy = "sample";
  sample.generate.max_new_tokens = 12;
  auto result = run_comparison(config, {greedy, sample});

  REQUIRE(result.rows.size() == 3);
  CHECK(result.rows[0].human);
  CHECK(result.rows[1].texts == 12);  // 6 prompts x 2 seeds
  // Greedy ignores the seed: both seeds give the same continuation of a prompt.
  CHECK(result.rows[1].texts_out[0] == result.rows[1].texts_out[1]);

  // The human row's perplexity, recomputed: exp(mean NLL of reference tokens given prompts).
  auto reloaded = load_model_dir(tmp.file("model"));
  reloaded->eval();
  at::NoGradGuard no_grad;
  double nll = 0;
  int64_t count = 0;
  for (const auto& pair : result.pairs) {
    std::vector<int64_t> row = pair.prompt;
    row.insert(row.end(), pair.reference.begin(), pair.reference.end());
    auto logits = reloaded->forward(at::tensor(row, at::kLong).view({1, -1})).logits[0];  // (T, V)
    auto log_probs = at::log_softmax(logits.to(at::kDouble), -1);
    for (size_t t = pair.prompt.size(); t < row.size(); ++t, ++count)
      nll -= log_probs[int64_t(t) - 1][row[t]].item<double>();
  }
  CHECK(result.rows[0].perplexity.value == Approx(std::exp(nll / count)).epsilon(1e-5));
  CHECK(result.rows[0].perplexity.low <= result.rows[0].perplexity.value);
  CHECK(result.rows[0].perplexity.high >= result.rows[0].perplexity.value);

  // BLEU of a setting is sacreBLEU's corpus BLEU of its texts against the references.
  std::vector<metrics::References> refs;
  for (const auto& pair : result.pairs)
    for (int seed = 0; seed < 2; ++seed) refs.push_back({pair.reference_text});
  CHECK(result.rows[2].bleu.value ==
        Approx(metrics::Bleu().corpus_score(result.rows[2].texts_out, refs).score));
  CHECK(std::isnan(result.rows[0].bleu.value));

  write_comparison_outputs(result, config);
  auto json = nlohmann::json::parse(read_file(tmp.file("out/results.json")));
  CHECK(json["settings"].size() == 3);
  CHECK(json["settings"][1]["name"] == "greedy");
  CHECK_THAT(read_file(tmp.file("out/report.html")), Contains("<circle"));
  CHECK_THAT(read_file(tmp.file("out/results.csv")), Contains("sample,"));
}

TEST_CASE("a comparison setting's banned_words go through the tokenizer") {
  test::TempDir tmp;
  test::write_tiny_comparison_model(tmp, 20000, 32, 3);
  auto tokenizer = load_tokenizer(tmp.file("model"));

  CompareConfig config;
  config.model = tmp.file("model");
  config.text = {tmp.file("text.txt")};
  config.num_prompts = 4;
  config.prompt_tokens = 16;
  config.reference_tokens = 12;
  config.seeds = {1};
  config.bootstrap = 10;
  NamedSetting greedy{"greedy", {}};
  greedy.generate.max_new_tokens = 12;
  auto plain = run_comparison(config, {greedy});
  // A character greedy decoding produces that is one token on its own: ban it by text.
  std::string banned;
  for (const auto& t : plain.rows[1].texts_out)
    for (char ch : t)
      if (banned.empty() && ch != ' ' && tokenizer->encode(std::string(1, ch)).size() == 1)
        banned = std::string(1, ch);
  REQUIRE(!banned.empty());
  NamedSetting without{"without", greedy.generate};
  without.generate.processor<BannedSequencesOptions>().words = {banned};
  auto result = run_comparison(config, {without});
  REQUIRE(result.rows.size() == 2);
  INFO("banned \"" << banned << "\"");
  for (const auto& t : result.rows[1].texts_out) CHECK(t.find(banned) == std::string::npos);
}
