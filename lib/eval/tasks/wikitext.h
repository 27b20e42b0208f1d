#pragma once
// WikiText document-level perplexity (the harness's wikitext task): each article scored whole
// by loglikelihood_rolling; word_perplexity, byte_perplexity, bits_per_byte over the corpus.
// Documents: a raw WikiText file (wiki.test.raw) split into articles at its top-level
// " = Title = " headings, or JSON lines {"page": str}. As the harness does, the detokenized page
// is scored, and words and bytes are counted on the page as written.
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

// Articles of a raw WikiText text: each starts at a line " = Title = " (one '=' each side);
// text before the first heading is an article of its own when not blank.
std::vector<std::string> split_wikitext_articles(const std::string& text);

// The harness's wikitext_detokenizer: "@-@" -> "-", " , " -> ", ", tightened brackets and
// quotes, "= =" -> "==", ... (ASCII whitespace where Python's \s is Unicode).
std::string wikitext_detokenize(const std::string& text);

// len(re.split(r"\s+", text)) as the harness counts words (ASCII whitespace).
int64_t count_harness_words(const std::string& text);

std::vector<std::string> load_wikitext(const std::string& path, int64_t limit);

TaskResult run_wikitext(const TaskEnv& env, const TaskSettings& settings);

}  // namespace gpt2
