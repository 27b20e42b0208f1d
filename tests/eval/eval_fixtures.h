#pragma once
// Shared by the eval tests: a byte-level GPT-2 BPE small enough for the golden tiny model
// (vocabulary 384), and a model directory holding that model with this tokenizer.
#include <filesystem>
#include <string>
#include <vector>

#include "core/files.h"
#include "test_support.h"
#include "tokenizer/byte_unicode.h"

namespace gpt2::test {

// Ids 0-255 are the bytes, then one id per merge in this order, then <|endoftext|> (269).
inline const std::vector<std::pair<std::string, std::string>>& tiny_merges() {
  static const std::vector<std::pair<std::string, std::string>> merges = {
      {"Ġ", "s"}, {"a", "t"},   {"Ġs", "at"}, {"Ġ", "c"}, {"Ġc", "at"}, {"t", "h"}, {"th", "e"},
      {"Ġ", "t"}, {"Ġt", "he"}, {"Ġ", "a"},   {"e", "n"}, {"Ġ", "m"},   {"o", "n"}};
  return merges;
}
inline int tiny_end_of_text() {
  return 256 + int(tiny_merges().size());
}

inline std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Writes vocab.json + merges.txt into `dir`.
inline void write_tiny_tokenizer(const std::string& dir) {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.push_back(bytes_to_unicode_text(std::string(1, char(b))));
  std::string merges = "#version: 0.2\n";
  for (const auto& [left, right] : tiny_merges()) {
    pieces.push_back(left + right);
    merges += left + " " + right + "\n";
  }
  pieces.push_back("<|endoftext|>");
  std::string vocab = "{";
  for (size_t i = 0; i < pieces.size(); ++i)
    vocab += (i ? ", \"" : "\"") + json_escape(pieces[i]) + "\": " + std::to_string(i);
  write_file_atomic(dir + "/vocab.json", vocab + "}");
  write_file_atomic(dir + "/merges.txt", merges);
}

// The golden tiny model with the tiny tokenizer, in `dir`.
inline std::string write_tiny_model_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  for (const char* name : {"config.json", "model.safetensors"})
    fs::copy_file(golden_model_dir() + "/" + name, dir + "/" + name,
                  fs::copy_options::overwrite_existing);
  write_tiny_tokenizer(dir);
  return dir;
}

}  // namespace gpt2::test
