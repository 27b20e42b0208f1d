#include "compare/comparison.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/progress.h"
#include "eval/scorer.h"
#include "generate/generation_options.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "io/inference_model.h"
#include "metrics/bleu.h"
#include "metrics/bootstrap.h"
#include "metrics/diversity.h"
#include "metrics/rouge.h"
#include "metrics/self_bleu.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2 {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Tokens scored at once: the comparison's texts are short, and 8 rows keep the (B, T, V)
// logits of a 124M model under 200 MB at T = 128.
constexpr int64_t kScoreBatch = 8;

// Negative log-likelihood (nats) of each continuation given its prompt under `model`; a
// prompt that leaves no room is cut from the left to fit the context.
std::vector<double> continuation_nll(GPT2LMHeadModelImpl& model,
                                     const std::vector<std::vector<int64_t>>& prompts,
                                     const std::vector<std::vector<int64_t>>& continuations) {
  std::vector<ScoreRequest> requests;
  for (size_t i = 0; i < prompts.size(); ++i)
    requests.push_back(
        continuation_request(prompts[i], continuations[i], model.config().n_positions));
  std::vector<double> nll;
  for (const RowScore& s : score_requests(model, requests, kScoreBatch)) nll.push_back(s.nll);
  return nll;
}

// Perplexity exp(sum nll / sum tokens) with a bootstrap interval over texts.
Interval perplexity_interval(const std::vector<double>& nll, const std::vector<int64_t>& tokens,
                             int64_t samples) {
  auto perplexity = [](const std::vector<double>& summed) {
    return std::exp(summed[0] / std::max(1.0, summed[1]));
  };
  std::vector<std::vector<double>> stats;
  for (size_t i = 0; i < nll.size(); ++i) stats.push_back({nll[i], double(tokens[i])});
  Interval out;
  out.value = out.low = out.high = perplexity(metrics::sum_stats(stats));
  if (samples <= 0 || nll.size() < 2) return out;
  auto ci = metrics::bootstrap_ci(perplexity, stats, int(samples));
  out.low = ci.low;
  out.high = ci.high;
  return out;
}

// Every metric of one row, from its texts and their token ids.
void score_row(SettingScores& row, const std::vector<std::string>& texts,
               const std::vector<std::vector<int64_t>>& ids, const std::vector<double>& nll,
               const std::vector<std::string>& references, const CompareConfig& config) {
  row.texts = int64_t(texts.size());
  std::vector<int64_t> lengths;
  std::vector<std::vector<uint32_t>> token_texts;
  for (const auto& t : ids) {
    lengths.push_back(int64_t(t.size()));
    row.tokens += int64_t(t.size());
    token_texts.emplace_back(t.begin(), t.end());
  }
  row.perplexity = perplexity_interval(nll, lengths, config.bootstrap);
  row.mean_length = texts.empty() ? 0 : double(row.tokens) / double(texts.size());
  row.distinct1 = metrics::distinct_n(token_texts, 1);
  row.distinct2 = metrics::distinct_n(token_texts, 2);
  row.distinct3 = metrics::distinct_n(token_texts, 3);
  row.self_bleu = token_texts.size() >= 2 ? metrics::self_bleu(token_texts, 4) : 0;
  size_t repeating = 0;
  for (const auto& t : token_texts) repeating += metrics::ends_in_repetition(t) ? 1 : 0;
  row.repetition = token_texts.empty() ? 0 : double(repeating) / token_texts.size();
  row.zipf = metrics::zipf_fit(token_texts).coefficient;
  row.texts_out = texts;
  if (row.human) {
    row.bleu = row.rouge1 = row.rouge2 = row.rougeL = {kNaN, kNaN, kNaN};
    return;
  }
  std::vector<metrics::References> refs;
  for (const auto& r : references) refs.push_back({r});
  metrics::Bleu bleu;
  row.bleu.value = row.bleu.low = row.bleu.high = bleu.corpus_score(texts, refs).score;
  metrics::RougeOptions rouge_options;
  rouge_options.types = {"rouge1", "rouge2", "rougeL"};  // the table's three columns
  rouge_options.use_stemmer = config.rouge_stemmer;
  metrics::RougeScorer rouge(rouge_options);
  std::vector<metrics::RougeScores> scores;
  double f[3] = {0, 0, 0};
  for (size_t i = 0; i < texts.size(); ++i) {
    scores.push_back(rouge.score(references[i], texts[i]));
    for (int k = 0; k < 3; ++k) f[k] += scores.back()[k].second.fmeasure / texts.size();
  }
  Interval* rouge_rows[3] = {&row.rouge1, &row.rouge2, &row.rougeL};
  for (int k = 0; k < 3; ++k) *rouge_rows[k] = {f[k], f[k], f[k]};
  if (config.bootstrap > 0 && texts.size() >= 2) {
    auto ci = metrics::bootstrap_ci(bleu, bleu.corpus_stats(texts, refs), int(config.bootstrap));
    row.bleu.low = ci.low;
    row.bleu.high = ci.high;
    auto aggregate = metrics::aggregate_rouge(scores, int(config.bootstrap));
    for (int k = 0; k < 3; ++k) {
      rouge_rows[k]->low = aggregate[k].second.low.fmeasure;
      rouge_rows[k]->high = aggregate[k].second.high.fmeasure;
    }
  }
}

}  // namespace

ComparisonResult run_comparison(const CompareConfig& config,
                                const std::vector<NamedSetting>& settings,
                                const InferenceWeights& how) {
  config.validate();
  require(!settings.empty(), "no decoding settings to compare: add a settings list");
  ComparisonResult result;
  result.model = config.model;
  result.scoring_model = config.scoring_model.empty() ? config.model : config.scoring_model;
  result.traced = config.trace;
  InferenceWeights generator_how = how;
  generator_how.adapter = config.adapter;
  auto generator_model = load_inference_model(config.model, generator_how);
  // The judge keeps float32 weights whatever the generator's, so that perplexities compare
  // across runs; it is the generator itself when nothing differs.
  InferenceWeights scorer_how = generator_how;
  scorer_how.weights = c10::kFloat;
  if (result.scoring_model != config.model) scorer_how.adapter.clear();
  auto scorer =
      result.scoring_model == config.model && product_weights_of(*generator_model) == c10::kFloat
          ? generator_model
          : load_inference_model(result.scoring_model, scorer_how);
  auto tokenizer = load_tokenizer(config.model);
  result.pairs = load_prompt_pairs(config, *tokenizer);

  std::vector<std::vector<int64_t>> prompts;
  std::vector<std::string> references;
  std::vector<std::vector<int64_t>> reference_ids;
  for (const auto& pair : result.pairs) {
    prompts.push_back(pair.prompt);
    references.push_back(pair.reference_text);
    reference_ids.push_back(pair.reference);
  }

  SettingScores human;
  human.name = "human";
  human.human = true;
  score_row(human, references, reference_ids, continuation_nll(*scorer, prompts, reference_ids),
            references, config);
  result.rows.push_back(human);

  ProgressBar progress("compare", double(settings.size() * config.seeds.size()), "runs");
  int64_t done = 0;
  for (const auto& setting : settings) {
    SettingScores row;
    row.name = setting.name;
    std::vector<std::string> texts, row_refs;
    std::vector<std::vector<int64_t>> ids, row_prompts;
    std::vector<std::vector<TokenTrace>> traces;
    double seconds = 0;
    std::vector<std::vector<std::vector<GenerationResult>>> per_seed;
    for (int64_t seed : config.seeds) {
      GenerationOptions options =
          make_generation_options(setting.generate, *tokenizer, uint64_t(seed));
      options.trace = config.trace;
      ModelSource source(generator_model.ptr(), setting.generate.use_cache);
      auto start = std::chrono::steady_clock::now();
      per_seed.push_back(generate(source, prompts, options));
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress.update(double(++done), setting.name);
    }
    // Prompt-major, seed-minor; every returned sequence counts.
    for (size_t p = 0; p < prompts.size(); ++p)
      for (const auto& seed_results : per_seed)
        for (const auto& generated : seed_results[p]) {
          texts.push_back(generated.text);
          ids.push_back(generated.tokens);
          row_refs.push_back(references[p]);
          row_prompts.push_back(prompts[p]);
          traces.push_back(generated.trace);
        }
    score_row(row, texts, ids, continuation_nll(*scorer, row_prompts, ids), row_refs, config);
    row.tokens_per_second = seconds > 0 ? double(row.tokens) / seconds : 0;
    row.trace = summarise_traces(traces);
    result.rows.push_back(row);
  }
  progress.finish();
  return result;
}

}  // namespace gpt2
