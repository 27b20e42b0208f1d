#include "metrics/porter_stemmer.h"

#include <unordered_map>

namespace gpt2::metrics {

namespace {

bool ends_with(const std::string& w, std::string_view suffix) {
  return w.size() >= suffix.size() &&
         w.compare(w.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

std::string drop(const std::string& w, size_t n) {
  return w.substr(0, w.size() - n);
}

// A consonant is a letter other than a, e, i, o, u, and other than a y after a consonant.
bool is_consonant(const std::string& w, size_t i) {
  char c = w[i];
  if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') return false;
  if (c == 'y') return i == 0 || !is_consonant(w, i - 1);
  return true;
}

// m in [C](VC){m}[V]: the number of vowel-to-consonant transitions.
int measure(const std::string& stem) {
  int m = 0;
  for (size_t i = 1; i < stem.size(); ++i)
    if (!is_consonant(stem, i - 1) && is_consonant(stem, i)) ++m;
  return m;
}

bool positive_measure(const std::string& stem) {
  return measure(stem) > 0;
}

bool contains_vowel(const std::string& stem) {
  for (size_t i = 0; i < stem.size(); ++i)
    if (!is_consonant(stem, i)) return true;
  return false;
}

bool ends_double_consonant(const std::string& w) {
  size_t n = w.size();
  return n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1);
}

// *o: consonant-vowel-consonant with the last not w, x or y; NLTK also accepts a two-letter
// vowel-consonant word.
bool ends_cvc(const std::string& w) {
  size_t n = w.size();
  if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) &&
      w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y')
    return true;
  return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
}

using Condition = bool (*)(const std::string& stem);

struct Rule {
  std::string_view suffix, replacement;
  Condition condition;  // nullptr: unconditional
};

// The first rule whose suffix matches decides: it applies when its condition holds on the
// stem, and otherwise the word is returned unchanged (later rules are not tried).
template <size_t N>
std::string apply_rules(const std::string& word, const Rule (&rules)[N]) {
  for (const Rule& rule : rules) {
    if (!ends_with(word, rule.suffix)) continue;
    std::string stem = drop(word, rule.suffix.size());
    if (rule.condition && !rule.condition(stem)) return word;
    return stem + std::string(rule.replacement);
  }
  return word;
}

std::string step1a(const std::string& w) {
  if (ends_with(w, "ies") && w.size() == 4) return drop(w, 3) + "ie";
  static const Rule rules[] = {
      {"sses", "ss", nullptr}, {"ies", "i", nullptr}, {"ss", "ss", nullptr}, {"s", "", nullptr}};
  return apply_rules(w, rules);
}

std::string step1b(const std::string& w) {
  if (ends_with(w, "ied")) return drop(w, 3) + (w.size() == 4 ? "ie" : "i");
  if (ends_with(w, "eed")) {
    std::string stem = drop(w, 3);
    return measure(stem) > 0 ? stem + "ee" : w;
  }
  std::string stem;
  if (ends_with(w, "ed") && contains_vowel(drop(w, 2))) {
    stem = drop(w, 2);
  } else if (ends_with(w, "ing") && contains_vowel(drop(w, 3))) {
    stem = drop(w, 3);
  } else {
    return w;
  }
  if (ends_with(stem, "at") || ends_with(stem, "bl") || ends_with(stem, "iz")) return stem + "e";
  if (ends_double_consonant(stem)) {
    char last = stem.back();
    return last == 'l' || last == 's' || last == 'z' ? stem : drop(stem, 1);
  }
  if (measure(stem) == 1 && ends_cvc(stem)) return stem + "e";
  return stem;
}

std::string step1c(const std::string& w) {
  // NLTK: y -> i only after a consonant that is not the word's first letter.
  if (!ends_with(w, "y")) return w;
  std::string stem = drop(w, 1);
  if (stem.size() > 1 && is_consonant(stem, stem.size() - 1)) return stem + "i";
  return w;
}

std::string step2(const std::string& w) {
  // NLTK applies 'alli' -> 'al' first and then runs step 2 again on the result.
  if (ends_with(w, "alli") && positive_measure(drop(w, 4))) return step2(drop(w, 4) + "al");
  static const Rule rules[] = {
      {"ational", "ate", positive_measure}, {"tional", "tion", positive_measure},
      {"enci", "ence", positive_measure},   {"anci", "ance", positive_measure},
      {"izer", "ize", positive_measure},    {"bli", "ble", positive_measure},
      {"alli", "al", positive_measure},     {"entli", "ent", positive_measure},
      {"eli", "e", positive_measure},       {"ousli", "ous", positive_measure},
      {"ization", "ize", positive_measure}, {"ation", "ate", positive_measure},
      {"ator", "ate", positive_measure},    {"alism", "al", positive_measure},
      {"iveness", "ive", positive_measure}, {"fulness", "ful", positive_measure},
      {"ousness", "ous", positive_measure}, {"aliti", "al", positive_measure},
      {"iviti", "ive", positive_measure},   {"biliti", "ble", positive_measure},
      {"fulli", "ful", positive_measure}};
  for (const Rule& rule : rules) {
    if (!ends_with(w, rule.suffix)) continue;
    std::string stem = drop(w, rule.suffix.size());
    return rule.condition(stem) ? stem + std::string(rule.replacement) : w;
  }
  // 'logi' -> 'log', with the measure taken on the stem that keeps the 'l'.
  if (ends_with(w, "logi")) return positive_measure(drop(w, 3)) ? drop(w, 4) + "log" : w;
  return w;
}

std::string step3(const std::string& w) {
  static const Rule rules[] = {{"icate", "ic", positive_measure}, {"ative", "", positive_measure},
                               {"alize", "al", positive_measure}, {"iciti", "ic", positive_measure},
                               {"ical", "ic", positive_measure},  {"ful", "", positive_measure},
                               {"ness", "", positive_measure}};
  return apply_rules(w, rules);
}

bool measure_gt_1(const std::string& stem) {
  return measure(stem) > 1;
}
bool measure_gt_1_st(const std::string& stem) {
  return measure(stem) > 1 && (stem.back() == 's' || stem.back() == 't');
}

std::string step4(const std::string& w) {
  static const Rule rules[] = {
      {"al", "", measure_gt_1},   {"ance", "", measure_gt_1}, {"ence", "", measure_gt_1},
      {"er", "", measure_gt_1},   {"ic", "", measure_gt_1},   {"able", "", measure_gt_1},
      {"ible", "", measure_gt_1}, {"ant", "", measure_gt_1},  {"ement", "", measure_gt_1},
      {"ment", "", measure_gt_1}, {"ent", "", measure_gt_1},  {"ion", "", measure_gt_1_st},
      {"ou", "", measure_gt_1},   {"ism", "", measure_gt_1},  {"ate", "", measure_gt_1},
      {"iti", "", measure_gt_1},  {"ous", "", measure_gt_1},  {"ive", "", measure_gt_1},
      {"ize", "", measure_gt_1}};
  return apply_rules(w, rules);
}

std::string step5a(const std::string& w) {
  // Both 'e' rules are tried (unlike apply_rules): m > 1, or m == 1 and not *o.
  if (!ends_with(w, "e")) return w;
  std::string stem = drop(w, 1);
  int m = measure(stem);
  if (m > 1 || (m == 1 && !ends_cvc(stem))) return stem;
  return w;
}

std::string step5b(const std::string& w) {
  // 'll' -> 'l' when the word without its last letter has m > 1.
  if (ends_with(w, "ll") && measure(drop(w, 1)) > 1) return drop(w, 1);
  return w;
}

const std::unordered_map<std::string_view, std::string_view>& irregular_forms() {
  static const std::unordered_map<std::string_view, std::string_view> forms = {
      {"skies", "sky"},      {"sky", "sky"},          {"dying", "die"},
      {"lying", "lie"},      {"tying", "tie"},        {"news", "news"},
      {"innings", "inning"}, {"inning", "inning"},    {"outings", "outing"},
      {"outing", "outing"},  {"cannings", "canning"}, {"canning", "canning"},
      {"howe", "howe"},      {"proceed", "proceed"},  {"exceed", "exceed"},
      {"succeed", "succeed"}};
  return forms;
}

}  // namespace

std::string porter_stem(std::string_view word) {
  auto irregular = irregular_forms().find(word);
  if (irregular != irregular_forms().end()) return std::string(irregular->second);
  std::string w(word);
  if (w.size() <= 2) return w;
  w = step1a(w);
  w = step1b(w);
  w = step1c(w);
  w = step2(w);
  w = step3(w);
  w = step4(w);
  w = step5a(w);
  w = step5b(w);
  return w;
}

}  // namespace gpt2::metrics
