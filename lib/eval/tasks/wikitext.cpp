#include "eval/tasks/wikitext.h"

#include <cctype>
#include <cmath>
#include <utility>

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

// Python's str.replace: every non-overlapping occurrence, left to right.
std::string replace_all(const std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = text.find(from, pos)) != std::string::npos; pos = at + from.size())
    out += text.substr(pos, at - pos) + to;
  return out + text.substr(pos);
}

// re.sub(r"O\s*([^C]*?)\s*C", r"O\1C"): from each opener to the first closer after it, the
// whitespace inside either end dropped; an opener with no closer after it stays.
std::string tighten_pairs(const std::string& text, char open, char close) {
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = text.find(open, pos)) != std::string::npos;) {
    const size_t end = text.find(close, at + 1);
    if (end == std::string::npos) break;
    size_t b = at + 1, e = end;
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    out += text.substr(pos, at - pos) + open + text.substr(b, e - b) + close;
    pos = end + 1;
  }
  return out + text.substr(pos);
}

}  // namespace

std::string wikitext_detokenize(const std::string& input) {
  std::string s = replace_all(input, "s '", "s'");
  // re.sub(r"/' [0-9]/", r"/'[0-9]/"): the harness writes the class itself as the replacement.
  for (size_t at = 0; (at = s.find("/' ", at)) != std::string::npos;) {
    if (at + 4 < s.size() && std::isdigit(static_cast<unsigned char>(s[at + 3])) &&
        s[at + 4] == '/') {
      s.replace(at, 5, "/'[0-9]/");
      at += 8;
    } else {
      at += 3;
    }
  }
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{" @-@ ", "-"},
                                                                                 {" @,@ ", ","},
                                                                                 {" @.@ ", "."},
                                                                                 {" : ", ": "},
                                                                                 {" ; ", "; "},
                                                                                 {" . ", ". "},
                                                                                 {" ! ", "! "},
                                                                                 {" ? ", "? "},
                                                                                 {" , ", ", "}})
    s = replace_all(s, from, to);
  for (const auto& [open, close] : std::vector<std::pair<char, char>>{
           {'(', ')'}, {'[', ']'}, {'{', '}'}, {'"', '"'}, {'\'', '\''}})
    s = tighten_pairs(s, open, close);
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"= = = =", "===="},
                                                        {"= = =", "==="},
                                                        {"= =", "=="},
                                                        {" \u00b0 ", "\u00b0"},
                                                        {" \n", "\n"},
                                                        {"\n ", "\n"},
                                                        {" N ", " 1 "},
                                                        {" 's", "'s"}})
    s = replace_all(s, from, to);
  return s;
}

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
  // Some copies of the raw files have CRLF line ends; the harness's pages have LF.
  pages = split_wikitext_articles(replace_all(read_file(path), "\r\n", "\n"));
  require(!pages.empty(), path +
                              ": no text; expected a raw WikiText file (wiki.test.raw) or "
                              "JSON lines {\"page\": str}");
  if (limit > 0 && int64_t(pages.size()) > limit) pages.resize(size_t(limit));
  return pages;
}

TaskResult run_wikitext(const TaskEnv& env, const TaskSettings& settings) {
  const auto pages = load_wikitext(settings.data, settings.limit);
  // The harness scores the detokenized page and counts words and bytes of the page as written.
  std::vector<std::string> targets;
  for (const auto& page : pages) targets.push_back(wikitext_detokenize(page));
  auto scores = loglikelihood_rolling(env.model, env.tokenizer, targets, settings.scoring);
  TaskResult result;
  result.examples = int64_t(pages.size());
  result.normalisation = "rolling|detok:harness|words:re_split_ws|bytes:utf8";
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
