// Gpt2Bpe's file formats: vocab.json / encoder.json (token -> id) and merges.txt / vocab.bpe
// ("#version" line, then "left right" per line, in rank order).
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "tokenizer/gpt2_bpe.h"

namespace gpt2 {
namespace {

std::vector<std::string> read_vocab(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + json_error_text(e.what()) + ")");
  }
  require(json.is_object() && !json.empty(),
          path + ": expected a JSON object mapping each token to its id");
  std::vector<std::string> vocab(json.size());
  std::vector<bool> filled(json.size(), false);
  for (const auto& [token, id] : json.items()) {
    require(id.is_number_integer(), path + ": the id of \"" + token + "\" is not an integer");
    int64_t value = id.get<int64_t>();
    require(value >= 0 && value < static_cast<int64_t>(vocab.size()),
            path + ": id " + std::to_string(value) + " of \"" + token + "\" is outside 0.." +
                std::to_string(vocab.size() - 1) + " (ids must be dense)");
    require(!filled[value], path + ": id " + std::to_string(value) + " is used twice");
    filled[value] = true;
    vocab[value] = token;
  }
  return vocab;
}

Gpt2Bpe::MergeList read_merges(const std::string& path) {
  std::string text = read_file(path);
  Gpt2Bpe::MergeList merges;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
    size_t space = line.find(' ');
    require(
        space != std::string::npos && space > 0 && space + 1 < line.size() &&
            line.find(' ', space + 1) == std::string::npos,
        path + ":" + std::to_string(line_no) + ": expected \"left right\", got \"" + line + "\"");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return merges;
}

}  // namespace

bool Gpt2Bpe::present_in(const std::string& dir) {
  return (file_exists(dir + "/vocab.json") && file_exists(dir + "/merges.txt")) ||
         (file_exists(dir + "/encoder.json") && file_exists(dir + "/vocab.bpe"));
}

std::unique_ptr<Gpt2Bpe> Gpt2Bpe::load(const std::string& dir) {
  if (file_exists(dir + "/vocab.json") && file_exists(dir + "/merges.txt"))
    return load_files(dir + "/vocab.json", dir + "/merges.txt");
  if (file_exists(dir + "/encoder.json") && file_exists(dir + "/vocab.bpe"))
    return load_files(dir + "/encoder.json", dir + "/vocab.bpe");
  throw Error(dir +
              ": no GPT-2 BPE files (expected vocab.json + merges.txt, or OpenAI's "
              "encoder.json + vocab.bpe)");
}

std::unique_ptr<Gpt2Bpe> Gpt2Bpe::load_files(const std::string& vocab_json,
                                             const std::string& merges_txt) {
  return std::make_unique<Gpt2Bpe>(read_vocab(vocab_json), read_merges(merges_txt),
                                   vocab_json + " + " + merges_txt);
}

void Gpt2Bpe::save(const std::string& model_dir) const {
  // Written by hand in id order (as Hugging Face does): nlohmann's ordered_json inserts in
  // O(n) per key.
  write_file_atomic(model_dir + "/vocab.json", [&](std::ostream& out) {
    out << "{";
    for (size_t id = 0; id < vocab_.size(); ++id)
      out << (id ? ", " : "") << nlohmann::json(vocab_[id]).dump(-1, ' ', false) << ": " << id;
    out << "}\n";
  });
  write_file_atomic(model_dir + "/merges.txt", [&](std::ostream& out) {
    out << "#version: 0.2\n";
    for (const auto& [left, right] : merges_) out << left << ' ' << right << '\n';
  });
}

}  // namespace gpt2
