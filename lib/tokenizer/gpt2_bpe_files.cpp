// Gpt2Bpe's file formats: vocab.json / encoder.json (token -> id) and merges.txt / vocab.bpe
// ("#version" line, then "left right" per line, in rank order).
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "tokenizer/gpt2_bpe.h"

namespace gpt2 {
namespace {

// The flat {"token": id, ...} object, read by events rather than into a document: a
// document of GPT-2's 50257 entries costs a tree node and a string copy each (3-4x the time).
class VocabReader : public nlohmann::json::json_sax_t {
 public:
  explicit VocabReader(const std::string& path) : path_(path) {}
  std::vector<std::pair<std::string, int64_t>> entries;

  bool start_object(std::size_t) override {
    if (++depth_ != 1) not_a_map();
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool key(string_t& token) override {
    entries.emplace_back(std::move(token), -1);
    return true;
  }
  bool number_integer(number_integer_t id) override { return set_id(id); }
  bool number_unsigned(number_unsigned_t id) override {
    return set_id(id > static_cast<number_unsigned_t>(INT64_MAX) ? INT64_MAX
                                                                 : static_cast<int64_t>(id));
  }
  bool number_float(number_float_t, const string_t&) override { return not_an_id(); }
  bool string(string_t&) override { return not_an_id(); }
  bool boolean(bool) override { return not_an_id(); }
  bool null() override { return not_an_id(); }
  bool binary(binary_t&) override { return not_an_id(); }
  bool start_array(std::size_t) override { return not_an_id(); }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw Error(path_ + ": not valid JSON (" + json_error_text(e.what()) + ")");
  }
  [[noreturn]] void not_a_map() const {
    throw Error(path_ + ": expected a JSON object mapping each token to its id");
  }

 private:
  // A value outside the object (or inside a nested one) means the file is not the flat map.
  bool set_id(int64_t id) {
    if (depth_ != 1 || entries.empty()) not_a_map();
    entries.back().second = id;
    return true;
  }
  bool not_an_id() {
    if (depth_ != 1 || entries.empty()) not_a_map();
    throw Error(path_ + ": the id of \"" + entries.back().first + "\" is not an integer");
  }
  const std::string& path_;
  int depth_ = 0;
};

std::vector<std::string> read_vocab(const std::string& path) {
  VocabReader reader(path);
  nlohmann::json::sax_parse(read_file(path), &reader);
  if (reader.entries.empty()) reader.not_a_map();
  std::vector<std::string> vocab(reader.entries.size());
  std::vector<bool> filled(vocab.size(), false);
  for (auto& [token, value] : reader.entries) {  // if-throw: require() builds its message
    if (value < 0 || value >= static_cast<int64_t>(vocab.size()))
      throw Error(path + ": id " + std::to_string(value) + " of \"" + token + "\" is outside 0.." +
                  std::to_string(vocab.size() - 1) + " (ids must be dense)");
    if (filled[value]) throw Error(path + ": id " + std::to_string(value) + " is used twice");
    filled[value] = true;
    vocab[value] = std::move(token);
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
    if (space == std::string::npos || space == 0 || space + 1 >= line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      throw Error(path + ":" + std::to_string(line_no) + ": expected \"left right\", got \"" +
                  line + "\"");
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
