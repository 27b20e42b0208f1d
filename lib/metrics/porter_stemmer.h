#pragma once
// The Porter stemmer as NLTK implements it in its default NLTK_EXTENSIONS mode (the mode
// rouge-score uses): Porter's 1980 algorithm plus Martin Porter's later extensions and NLTK's
// own (irregular forms, 'ies'/'ied' on four-letter words, 'alli' first, 'fulli', 'logi', and
// words of one or two letters left alone).
#include <string>
#include <string_view>

namespace gpt2::metrics {

// Stems a lowercase ASCII word (rouge-score lowercases and keeps [a-z0-9] only).
std::string porter_stem(std::string_view word);

}  // namespace gpt2::metrics
