#pragma once
// A sampling comparison: every named decoding setting generates continuations of the same
// prompts, and each is scored the same way — perplexity under a scoring model, BLEU and
// ROUGE against the references, Self-BLEU, distinct-n, repetition, Zipf, length, speed —
// with bootstrap 95% intervals, beside a "human" row that scores the references themselves.
#include <cstdint>
#include <string>
#include <vector>

#include "compare/compare_config.h"
#include "compare/prompt_source.h"
#include "compare/trace_summary.h"
#include "io/inference_weights.h"

namespace gpt2 {

struct Interval {
  double value = 0, low = 0, high = 0;  // low == high == value when not bootstrapped
};

struct SettingScores {
  std::string name;
  bool human = false;  // the references scored as if generated
  int64_t texts = 0, tokens = 0;
  Interval perplexity;
  Interval bleu;                    // corpus BLEU (sacreBLEU 13a), NaN for the human row
  Interval rouge1, rouge2, rougeL;  // mean F (rouge-score), NaN for the human row
  double self_bleu = 0;             // Self-BLEU-4, 0..1
  double distinct1 = 0, distinct2 = 0, distinct3 = 0;
  double repetition = 0;  // share of texts ending in a repetition loop
  double zipf = 0;
  double mean_length = 0;              // tokens
  double tokens_per_second = 0;        // generation speed (0 for the human row)
  std::vector<std::string> texts_out;  // the continuations, prompt-major, seed-minor
  TraceSummary trace;                  // compare.trace (tokens = 0 otherwise)
};

struct ComparisonResult {
  std::vector<PromptPair> pairs;
  std::vector<SettingScores> rows;  // the human row first
  std::string model, scoring_model;
  bool traced = false;  // compare.trace: the rows carry trace summaries
};

// `how` gives the generator's weights dtype and device (runtime.weights, runtime.device); the
// scoring model always has float32 weights.
ComparisonResult run_comparison(const CompareConfig& config,
                                const std::vector<NamedSetting>& settings,
                                const InferenceWeights& how = {});

std::string comparison_table_text(const ComparisonResult& result);

// results.json, results.csv and report.html in config.out_dir.
void write_comparison_outputs(const ComparisonResult& result, const CompareConfig& config);

}  // namespace gpt2
