#pragma once
// Small string helpers shared across the library.
#include <string>
#include <vector>

namespace gpt2 {

std::vector<std::string> split(const std::string& text, char separator);
std::string trim(const std::string& text);
bool starts_with(const std::string& text, const std::string& prefix);
bool ends_with(const std::string& text, const std::string& suffix);
std::string join(const std::vector<std::string>& parts, const std::string& separator);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `key`, or "" when none is close enough to be a plausible typo.
std::string closest_match(const std::string& key, const std::vector<std::string>& candidates);

// Human-readable numbers: 124.4M, 1.5G; 474.7 MiB.
std::string human_count(double value);
std::string human_bytes(double bytes);

}  // namespace gpt2
