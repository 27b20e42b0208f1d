// Metric throughput on 100k sentence pairs built from WikiText-2 valid (references) and seeded
// perturbations of them (hypotheses), one thread: pairs per second, median of repeated runs,
// by wall clock and by thread CPU time (the latter is what to compare on a shared, busy
// machine), with the first (cold) run shown too since the ROUGE stemmer caches stems.
// Reference points (Python, same kind of data): sacreBLEU corpus BLEU (13a) ~5,500 pairs/s,
// rouge-score rouge1/2/L with stemmer ~1,300 pairs/s.
// Usage: bench_metrics [repeats=5] [pairs=100000] [data_dir] [only=substring of a metric name]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/strings.h"
#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/metric_input.h"
#include "metrics/rouge.h"

using namespace gpt2;
using namespace gpt2::metrics;

namespace {

double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Wall and CPU seconds of one call.
std::pair<double, double> seconds_of(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  double cpu = cpu_now();
  fn();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          cpu_now() - cpu};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Undoes WikiText's token spacing (" , " -> ", ", " @-@ " -> "-") so tokenizers have work.
std::string detokenize(std::string s) {
  const std::pair<const char*, const char*> rules[] = {
      {" @-@ ", "-"}, {" @,@ ", ","}, {" @.@ ", "."}, {" , ", ", "}, {" ; ", "; "},
      {" : ", ": "},  {" 's", "'s"},  {"( ", "("},    {" )", ")"},   {"<unk>", "unk"}};
  for (const auto& [from, to] : rules) {
    std::string out;
    size_t last = 0;
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, last)) {
      out.append(s, last, pos - last).append(to);
      last = pos + std::string(from).size();
    }
    s = out + s.substr(last);
  }
  return trim(s);
}

std::vector<std::string> reference_sentences(const std::string& path) {
  std::vector<std::string> sentences;
  for (const std::string& line : read_lines(path)) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '=') continue;
    for (const std::string& piece : split(text, '.')) {
      std::string sentence = detokenize(piece) + ".";
      if (split(sentence, ' ').size() >= 5) sentences.push_back(sentence);
    }
  }
  return sentences;
}

// Drops, swaps, inserts and truncates words at random, like the golden cases' perturbations.
std::string perturb(const std::string& sentence, std::mt19937_64& rng) {
  std::vector<std::string> words = split(sentence, ' ');
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::string> out;
  for (const std::string& w : words) {
    double r = u(rng);
    if (r < 0.08) continue;
    out.push_back(w);
    if (r > 0.95) out.push_back("very");
  }
  for (size_t i = 1; i < out.size(); ++i)
    if (u(rng) < 0.05) std::swap(out[i - 1], out[i]);
  if (u(rng) < 0.1 && out.size() > 4) out.resize(out.size() * 3 / 4);
  return join(out, " ");
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  size_t pairs = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
  std::string data = argc > 3 ? argv[3] : GPT2_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GPT2_SHARED_DATA_DIR")) data = env;
  std::string only = argc > 4 ? argv[4] : "";
  std::vector<std::string> sentences = reference_sentences(data + "/wikitext-2/valid.txt");
  if (sentences.empty()) {
    std::fprintf(stderr, "no sentences in %s/wikitext-2/valid.txt\n", data.c_str());
    return 1;
  }
  std::mt19937_64 rng(1234);
  std::vector<std::string> hyps;
  std::vector<References> refs;
  size_t words = 0;
  for (size_t i = 0; i < pairs; ++i) {
    const std::string& ref = sentences[i % sentences.size()];
    hyps.push_back(perturb(ref, rng));
    refs.push_back({ref});
    words += split(ref, ' ').size();
  }
  std::printf(
      "%zu pairs from %zu WikiText-2 valid sentences (%.1f words per reference), "
      "1 thread, %d repeats\n\n",
      pairs, sentences.size(), static_cast<double>(words) / pairs, repeats);

  Bleu bleu;
  Chrf chrf;
  ChrfOptions plus_options;
  plus_options.word_order = 2;
  Chrf chrf_plus(plus_options);
  RougeOptions rouge_options;
  rouge_options.types = {"rouge1", "rouge2", "rougeL"};
  RougeScorer rouge(rouge_options);
  rouge_options.use_stemmer = true;
  RougeScorer rouge_stem(rouge_options);
  double sink = 0;
  struct Bench {
    const char* name;
    double baseline;  // Python reference, pairs/s (0 = none quoted)
    std::function<void()> run;
  };
  std::vector<Bench> benches = {
      {"BLEU corpus (13a)", 5500, [&] { sink += bleu.corpus_score(hyps, refs).score; }},
      {"chrF2 corpus", 0, [&] { sink += chrf.corpus_score(hyps, refs); }},
      {"chrF2++ corpus", 0, [&] { sink += chrf_plus.corpus_score(hyps, refs); }},
      {"ROUGE 1/2/L", 0,
       [&] {
         for (size_t i = 0; i < pairs; ++i)
           sink += rouge.score(refs[i][0], hyps[i])[0].second.fmeasure;
       }},
      {"ROUGE 1/2/L + stemmer", 1300, [&] {
         for (size_t i = 0; i < pairs; ++i)
           sink += rouge_stem.score(refs[i][0], hyps[i])[0].second.fmeasure;
       }}};

  std::printf("%-24s %14s %14s %14s %10s\n", "metric", "first pairs/s", "median wall/s",
              "median CPU/s", "vs Python");
  for (const Bench& b : benches) {
    if (!only.empty() && std::string(b.name).find(only) == std::string::npos) continue;
    std::vector<double> wall, cpu;
    for (int r = 0; r < repeats; ++r) {
      auto [w, c] = seconds_of(b.run);
      wall.push_back(w);
      cpu.push_back(c);
    }
    double per_cpu = pairs / median(cpu);
    std::string ratio =
        b.baseline > 0 ? std::to_string(static_cast<int>(per_cpu / b.baseline)) + "x" : "-";
    std::printf("%-24s %14.0f %14.0f %14.0f %10s\n", b.name, pairs / wall.front(),
                pairs / median(wall), per_cpu, ratio.c_str());
  }
  std::printf("\n(checksum %.3f)\n", sink);
  return 0;
}
