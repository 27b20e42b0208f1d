// `gpt2 metric NAME --option key=value` lands in the metric's own options struct (each option
// declared once, in its visit()), with the config loader's rules.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/diversity.h"
#include "metrics/registry.h"
#include "metrics/rouge.h"

using namespace gpt2;
using namespace gpt2::metrics;
using Catch::Matchers::Contains;

namespace {
template <class Options>
Options read(const std::vector<std::string>& items) {
  Options options;
  MetricRun run;
  run.options = items;
  read_metric_options(section_ref(options), run);
  return options;
}
}  // namespace

TEST_CASE("metric --option values set the metrics' options structs") {
  auto bleu =
      read<BleuOptions>({"smooth=floor", "smooth_value=0.05", "lowercase", "tokenize=char"});
  CHECK(bleu.smooth == "floor");
  CHECK(bleu.smooth_value == 0.05);
  CHECK(bleu.lowercase);
  CHECK(bleu.tokenize == "char");
  CHECK_FALSE(bleu.effective_order);
  CHECK(bleu.max_ngram_order == 4);

  auto chrf = read<ChrfOptions>({"word_order=2", "beta=1", "whitespace=true"});
  CHECK(chrf.word_order == 2);
  CHECK(chrf.char_order == 6);
  CHECK(chrf.beta == 1.0);
  CHECK(chrf.whitespace);
  CHECK(Chrf(chrf).name() == "chrF1++");

  auto rouge = read<RougeOptions>({"types=rouge1,rougeL", "stemmer"});
  CHECK(rouge.types == std::vector<std::string>{"rouge1", "rougeL"});
  CHECK(rouge.use_stemmer);
  CHECK(RougeOptions{}.types ==
        std::vector<std::string>{"rouge1", "rouge2", "rougeL", "rougeLsum"});

  auto diversity = read<DiversityOptions>({"max_n=2", "self_bleu_samples=10", "zipf_top=50"});
  CHECK(diversity.max_distinct_n == 2);
  CHECK(diversity.self_bleu_samples == 10);
  CHECK(diversity.zipf_top == 50);
  CHECK(diversity.repetition_max_n == 90);
}

TEST_CASE("metric --option errors name the option and the rule, help lists every option") {
  CHECK_THROWS_WITH(read<BleuOptions>({"smooth=half"}),
                    Contains("--option smooth=half") && Contains("must be one of"));
  CHECK_THROWS_WITH(read<ChrfOptions>({"char_order=0"}), Contains("must be > 0"));
  CHECK_THROWS_WITH(read<DiversityOptions>({"max_m=2"}),
                    Contains("unknown key \"max_m\"") && Contains("did you mean \"max_n\"?"));
  CHECK_THROWS_WITH(read<BleuOptions>({"tokenize=13a,intl"}), Contains("takes one value"));
  CHECK(options_help<BleuOptions>() ==
        "tokenize=13a, smooth=exp, smooth_value=-1, lowercase=false, effective_order=false");
  CHECK(options_help<RougeOptions>() == "types=[rouge1, rouge2, rougeL, rougeLsum], stemmer=false");
  CHECK(options_help<DiversityOptions>() ==
        "max_n=4, self_bleu_samples=0, repetition_max_n=90, zipf_top=5000");
}
