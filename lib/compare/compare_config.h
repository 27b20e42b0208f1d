#pragma once
// The "compare" section: a sampling comparison on one model (the nucleus-sampling paper's
// Table 1 for your model): where prompts and reference continuations come from, how many,
// seeds, and the scoring model. The decoding settings come beside it as a list.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "generate/generate_config.h"

namespace gpt2 {

struct CompareConfig {
  static constexpr const char* kSection = "compare";

  std::string model;                // model directory that generates
  std::string scoring_model;        // model directory whose perplexity scores texts ("" = model)
  std::vector<std::string> text;    // text files: prompts are windows of their tokens
  std::vector<std::string> shards;  // or token shards (globs), same windows
  std::string jsonl;                // or JSONL lines {"prompt": ..., "reference": ...}
  int64_t num_prompts = 50;
  int64_t prompt_tokens = 32;        // window: the first prompt_tokens tokens are the prompt
  int64_t reference_tokens = 64;     // and the next reference_tokens the reference
  int64_t window_seed = 1234;        // where windows start (seeded, reproducible)
  std::vector<int64_t> seeds = {1};  // generation seeds; every setting runs once per seed
  int64_t bootstrap = 1000;          // resamples for 95% intervals (0 = none)
  bool rouge_stemmer = false;        // Porter stemming in ROUGE
  int64_t report_samples = 3;        // continuations per setting shown in the report
  bool trace = false;                // per-token traces, summarised per setting
  std::string out_dir = "runs/compare";

  void visit(FieldVisitor& v) {
    v.field("model", model, "model directory that generates");
    v.field("scoring_model", scoring_model, "model directory for perplexity (\"\" = model)");
    v.field("text", text, "text files to cut prompt/reference windows from");
    v.field("shards", shards, "token shards to cut windows from (instead of text)");
    v.field("jsonl", jsonl, "JSONL of {prompt, reference} pairs (instead of windows)");
    v.field("num_prompts", num_prompts, "prompts (windows) to use", Rule::positive());
    v.field("prompt_tokens", prompt_tokens, "prompt length in tokens", Rule::positive());
    v.field("reference_tokens", reference_tokens, "reference continuation length in tokens",
            Rule::positive());
    v.field("window_seed", window_seed, "seed of the window positions", Rule::non_negative());
    v.field("seeds", seeds, "generation seeds (each setting runs once per seed)",
            Rule::non_negative());
    v.field("bootstrap", bootstrap, "bootstrap resamples for 95% intervals (0 = none)",
            Rule::non_negative());
    v.field("rouge_stemmer", rouge_stemmer, "Porter-stem tokens in ROUGE");
    v.field("report_samples", report_samples, "continuations per setting in the report",
            Rule::non_negative());
    v.field("trace", trace,
            "per-token traces: mean entropy, kept-set and nucleus sizes, rank histogram");
    v.field("out_dir", out_dir, "folder for results.json, results.csv and report.html");
  }
  void validate() const;
};

// One named decoding setting of the comparison.
struct NamedSetting {
  std::string name;
  GenerateConfig generate;
};

}  // namespace gpt2
