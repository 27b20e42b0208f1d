#pragma once
// The documents `gpt2 prepare` tokenizes: a plain text file is one document; a .jsonl file
// holds one document per line, in a named string field.
#include <cstdint>
#include <string>
#include <vector>

namespace gpt2 {

struct DocumentSet {
  std::vector<std::string> texts;  // non-empty documents, in input order
  std::vector<std::string> files;  // the files they came from
  int64_t bytes = 0;               // total text bytes
};

// True for files read as JSON lines (.jsonl, .ndjson).
bool is_jsonl_file(const std::string& path);

// Reads the files (already expanded from globs). Throws Error naming the file (and line) that
// cannot be read or parsed, or that lacks the text field.
DocumentSet read_documents(const std::vector<std::string>& files, const std::string& jsonl_field);

}  // namespace gpt2
