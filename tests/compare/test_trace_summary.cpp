// compare.trace: per-setting summaries of per-token traces, by hand on known traces, and on a
// tiny model where greedy's and top-k's traces follow from the rule itself.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compare/comparison.h"
#include "compare/trace_summary.h"
#include "core/files.h"
#include "generate/processors/top_k.h"
#include "io/checkpoint.h"
#include "test_support.h"
#include "tiny_comparison_model.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("trace summary: token-weighted means and the rank histogram") {
  // {entropy, kept, nucleus, rank, probability}
  std::vector<std::vector<TokenTrace>> traces = {
      {{1.0, 10, 3, 0, 0.5}, {2.0, 4, 1, 1, 0.25}},
      {{3.0, 1, 5, 7, 0.1}, {0.5, 5, 2, 30, 0.05}, {1.0, 5, 4, 3, 0.1}},
      {},
  };
  auto s = summarise_traces(traces);
  CHECK(s.tokens == 5);
  CHECK(s.mean_entropy == Approx((1.0 + 2.0 + 3.0 + 0.5 + 1.0) / 5));  // 1.5
  CHECK(s.mean_kept == Approx((10 + 4 + 1 + 5 + 5) / 5.0));            // 5
  CHECK(s.mean_nucleus == Approx((3 + 1 + 5 + 2 + 4) / 5.0));          // 3
  CHECK(s.mean_probability == Approx((0.5 + 0.25 + 0.1 + 0.05 + 0.1) / 5));
  // Ranks 0, 1, 7, 30, 3 -> buckets 0, 1, 5-9, 10+, 2-4.
  CHECK(s.ranks == std::array<int64_t, kRankBuckets>{1, 1, 1, 1, 1});
  CHECK(rank_shares_text(s) == "20/20/20/20/20");

  CHECK(rank_bucket(0) == 0);
  CHECK(rank_bucket(1) == 1);
  CHECK(rank_bucket(2) == 2);
  CHECK(rank_bucket(4) == 2);
  CHECK(rank_bucket(5) == 3);
  CHECK(rank_bucket(9) == 3);
  CHECK(rank_bucket(10) == 4);
  CHECK(rank_bucket(5000) == 4);

  auto empty = summarise_traces({});
  CHECK(empty.tokens == 0);
  CHECK(empty.mean_entropy == 0);
}

TEST_CASE("compare.trace: greedy always takes rank 0, top-k keeps k, in table, JSON and HTML") {
  test::TempDir tmp;
  test::write_tiny_comparison_model(tmp, 5000, 16, 5);
  auto tokenizer = load_tokenizer(tmp.file("model"));

  CompareConfig config;
  config.model = tmp.file("model");
  config.text = {tmp.file("text.txt")};
  config.num_prompts = 3;
  config.prompt_tokens = 8;
  config.reference_tokens = 6;
  config.bootstrap = 0;
  config.trace = true;
  config.out_dir = tmp.file("out");
  NamedSetting greedy{"greedy", {}};
  greedy.generate.max_new_tokens = 6;
  greedy.generate.ignore_eos = true;
  NamedSetting top_k{"top-k 5", {}};
  top_k.generate.strategy = "top_k";
  top_k.generate.processor<TopKOptions>().k = 5;
  top_k.generate.max_new_tokens = 6;
  top_k.generate.ignore_eos = true;
  auto result = run_comparison(config, {greedy, top_k});
  REQUIRE(result.rows.size() == 3);
  CHECK(result.rows[0].trace.tokens == 0);  // the references have no trace

  const auto& g = result.rows[1].trace;
  CHECK(g.tokens == 18);  // 3 prompts x 6 tokens
  CHECK(g.ranks[0] == 18);
  CHECK(g.mean_kept == Approx(double(tokenizer->vocab_size())));  // no processor removes any
  CHECK(g.mean_nucleus >= 1);
  const auto& k = result.rows[2].trace;
  CHECK(k.tokens == 18);
  CHECK(k.mean_kept == Approx(5));
  CHECK(k.ranks[0] + k.ranks[1] + k.ranks[2] == 18);  // ranks 0-4 only

  auto table = comparison_table_text(result);
  CHECK_THAT(table, Contains("entropy") && Contains("nucleus") && Contains("100/0/0/0/0"));
  write_comparison_outputs(result, config);
  auto json = nlohmann::json::parse(read_file(tmp.file("out/results.json")));
  CHECK(json["settings"][0]["trace"].is_null());
  CHECK(json["settings"][1]["trace"]["tokens"] == 18);
  CHECK(json["settings"][1]["trace"]["rank_histogram"]["0"] == 18);
  CHECK(json["settings"][2]["trace"]["mean_kept"].get<double>() == Approx(5));
  CHECK_THAT(read_file(tmp.file("out/report.html")), Contains("0.9 nucleus"));
}
