#include "eval/tasks/wikitext.h"

#include <cmath>

#include "core/error.h"
#include "core/files.h"
#include "eval/tasks/jsonl.h"

namespace gpt2 {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_top_heading(const std::string& line) {
  size_t b = line.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return false;
  size_t e = line.find_last_not_of(" \t\r\n");
  const std::string t = line.substr(b, e - b + 1);
  // "= Title =" but not "= = Section = =".
  return t.size() >= 5 && t.compare(0, 2, "= ") == 0 && t[2] != '=' &&
         t.compare(t.size() - 2, 2, " =") == 0 && t[t.size() - 3] != '=';
}

}  // namespace

std::vector<std::string> split_wikitext_articles(const std::string& text) {
  std::vector<std::string> articles;
  std::string current;
  auto flush = [&] {
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) articles.push_back(current);
    current.clear();
  };
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string line = text.substr(pos, end - pos);
    if (is_top_heading(line)) flush();
    current += line;
    pos = end;
  }
  flush();
  return articles;
}

int64_t count_harness_words(const std::string& text) {
  int64_t pieces = 1;
  for (size_t i = 0; i < text.size(); ++i)
    if (is_space(text[i]) && (i == 0 || !is_space(text[i - 1]))) ++pieces;
  return pieces;
}

std::vector<std::string> load_wikitext(const std::string& path, int64_t limit) {
  std::vector<std::string> pages;
  if (looks_like_jsonl(path)) {
    read_jsonl(path, "a document {\"page\": str}", limit,
               [&](const JsonlRow& row) { pages.push_back(row.string_field("page")); });
    return pages;
  }
  pages = split_wikitext_articles(read_file(path));
  require(!pages.empty(), path +
                              ": no text; expected a raw WikiText file (wiki.test.raw) or "
                              "JSON lines {\"page\": str}");
  if (limit > 0 && int64_t(pages.size()) > limit) pages.resize(size_t(limit));
  return pages;
}

TaskResult run_wikitext(const TaskEnv& env, const TaskSettings& settings) {
  const auto pages = load_wikitext(settings.data, settings.limit);
  LoglikelihoodOptions options = settings.scoring;
  auto scores = loglikelihood_rolling(env.model, env.tokenizer, pages, options);
  TaskResult result;
  result.examples = int64_t(pages.size());
  result.normalisation = "rolling|words:re_split_ws|bytes:utf8|detok:none";
  double ll = 0;
  int64_t words = 0, bytes = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    const int64_t w = count_harness_words(pages[i]), b = int64_t(pages[i].size());
    ll += scores[i].logprob;
    words += w;
    bytes += b;
    if (settings.log_samples)
      result.samples.push_back(json_line({{"index", i},
                                          {"page_start", pages[i].substr(0, 80)},
                                          {"loglikelihood", scores[i].logprob},
                                          {"tokens", scores[i].tokens},
                                          {"words", w},
                                          {"bytes", b}}));
  }
  // Corpus-level ratios, as the harness aggregates them (no standard error).
  result.metrics = {{"word_perplexity", std::exp(-ll / double(std::max<int64_t>(words, 1)))},
                    {"byte_perplexity", std::exp(-ll / double(std::max<int64_t>(bytes, 1)))},
                    {"bits_per_byte", -ll / double(std::max<int64_t>(bytes, 1)) / std::log(2.0)}};
  return result;
}

}  // namespace gpt2
