// libgpt2_sentencepiece.so: the only code that touches libsentencepiece (see
// sentencepiece_backend.h for why it lives in a plugin).
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <sstream>

#include "tokenizer/sentencepiece_backend.h"

namespace sentencepiece::logging {
void SetMinLogLevel(int level);  // exported by libsentencepiece, not declared in its headers
}

namespace gpt2 {
namespace {

class Processor : public SentencePieceProcessorApi {
 public:
  std::string load_serialized(const std::string& model) override {
    auto status = processor_.LoadFromSerializedProto(model);
    return status.ok() ? "" : status.ToString();
  }
  std::string encode(std::string_view text, std::vector<int>& ids) const override {
    auto status = processor_.Encode(absl::string_view(text.data(), text.size()), &ids);
    return status.ok() ? "" : status.ToString();
  }
  std::string decode(const std::vector<int>& ids, std::string& text) const override {
    auto status = processor_.Decode(ids, &text);
    return status.ok() ? "" : status.ToString();
  }
  int piece_size() const override { return processor_.GetPieceSize(); }
  int unk_id() const override { return processor_.unk_id(); }
  int bos_id() const override { return processor_.bos_id(); }
  int eos_id() const override { return processor_.eos_id(); }
  int pad_id() const override { return processor_.pad_id(); }
  std::string id_to_piece(int id) const override { return processor_.IdToPiece(id); }
  int piece_to_id(std::string_view piece) const override {
    return processor_.PieceToId(absl::string_view(piece.data(), piece.size()));
  }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

// Feeds the non-empty lines of the input files to SentencePiece ('\n' excluded).
class LineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(const std::vector<std::string>& files) : files_(files) { advance(); }
  bool done() const override { return done_; }
  void Next() override { advance(); }
  const std::string& value() const override { return line_; }
  sentencepiece::util::Status status() const override { return status_; }
  long long lines() const { return lines_; }

 private:
  void advance() {
    while (true) {
      if (pos_ >= text_.size()) {
        if (next_file_ >= files_.size()) {
          done_ = true;
          return;
        }
        std::ifstream in(files_[next_file_], std::ios::binary);
        if (!in) {
          status_ = sentencepiece::util::Status(sentencepiece::util::StatusCode::kNotFound,
                                                "cannot read " + files_[next_file_]);
          done_ = true;
          return;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text_ = buffer.str();
        ++next_file_;
        pos_ = 0;
        continue;
      }
      size_t end = text_.find('\n', pos_);
      if (end == std::string::npos) end = text_.size();
      line_.assign(text_, pos_, end - pos_);
      pos_ = end + 1;
      if (line_.empty()) continue;
      ++lines_;
      return;
    }
  }
  const std::vector<std::string>& files_;
  size_t next_file_ = 0, pos_ = 0;
  std::string text_, line_;
  bool done_ = false;
  long long lines_ = 0;
  sentencepiece::util::Status status_;
};

class Plugin : public SentencePiecePlugin {
 public:
  std::unique_ptr<SentencePieceProcessorApi> create_processor() const override {
    return std::make_unique<Processor>();
  }
  std::string train(const std::unordered_map<std::string, std::string>& args,
                    const std::vector<std::string>& files, int min_log_level, std::string& model,
                    long long& lines) const override {
    sentencepiece::logging::SetMinLogLevel(min_log_level);
    LineIterator iterator(files);
    auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator, &model);
    lines = iterator.lines();
    if (!iterator.status().ok()) return iterator.status().ToString();
    return status.ok() ? "" : status.ToString();
  }
};

}  // namespace
}  // namespace gpt2

extern "C" const gpt2::SentencePiecePlugin* gpt2_sentencepiece_plugin() {
  static const gpt2::Plugin plugin;
  return &plugin;
}
