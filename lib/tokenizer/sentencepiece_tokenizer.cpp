#include "tokenizer/sentencepiece_tokenizer.h"

#include "core/error.h"
#include "core/files.h"

namespace gpt2 {

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& serialized_model,
                                               const std::string& source)
    : processor_(sentencepiece_plugin().create_processor()),
      serialized_(serialized_model),
      source_(source) {
  std::string error = processor_->load_serialized(serialized_);
  require(error.empty(), source + ": not a SentencePiece model (" + error + ")");
  auto id_or_none = [&](int id) { return id >= 0 && id < vocab_size() ? id : -1; };
  special_ids_.end_of_text = id_or_none(processor_->eos_id());
  special_ids_.bos = id_or_none(processor_->bos_id());
  special_ids_.pad = id_or_none(processor_->pad_id());
  for (int32_t id : {special_ids_.end_of_text, special_ids_.bos, special_ids_.pad})
    if (id >= 0) specials_.push_back({processor_->id_to_piece(id), id});
  splits_after_newline_ = probe_newline_split();
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(
    const std::string& model_file) {
  return std::make_unique<SentencePieceTokenizer>(read_file(model_file), model_file);
}

// SentencePiece's options (dummy prefix, whitespace handling, newline as a user symbol) are in
// the model proto, which this library does not parse; test the property on probes instead.
bool SentencePieceTokenizer::probe_newline_split() const {
  static const std::pair<const char*, const char*> probes[] = {
      {"ab\n", "cd ef"}, {"a b\n\n", "c"}, {"e.  \n", "o  t\n"}, {"I:\n", "s\n"}};
  for (const auto& [head, tail] : probes) {
    std::string text = std::string(head) + tail;
    std::vector<int32_t> whole, parts;
    encode_ordinary(text, whole);
    encode_ordinary(head, parts);
    encode_ordinary(tail, parts);
    if (whole != parts || decode(whole) != text) return false;
  }
  return true;
}

void SentencePieceTokenizer::encode_ordinary(std::string_view text,
                                             std::vector<int32_t>& out) const {
  std::vector<int> ids;
  std::string error = processor_->encode(text, ids);
  require(error.empty(), source_ + ": SentencePiece encode failed (" + error + ")");
  out.insert(out.end(), ids.begin(), ids.end());
}

void SentencePieceTokenizer::encode_append(std::string_view text, std::vector<int32_t>& out,
                                           AllowedSpecial allowed) const {
  if (allowed == AllowedSpecial::none || specials_.empty()) {
    encode_ordinary(text, out);
    return;
  }
  split_on_specials(
      text, specials_, [&](std::string_view segment) { encode_ordinary(segment, out); },
      [&](int32_t id) { out.push_back(id); });
}

std::string SentencePieceTokenizer::decode(const int32_t* ids, size_t count) const {
  std::vector<int> values(ids, ids + count);
  const int size = static_cast<int>(vocab_size());
  for (int id : values)
    if (id < 0 || id >= size)
      throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                  std::to_string(vocab_size() - 1) + ")");
  std::string text;
  std::string error = processor_->decode(values, text);
  require(error.empty(), source_ + ": SentencePiece decode failed (" + error + ")");
  return text;
}

int64_t SentencePieceTokenizer::vocab_size() const {
  return processor_->piece_size();
}

std::string SentencePieceTokenizer::id_to_piece(int32_t id) const {
  require(id >= 0 && id < vocab_size(), "token id " + std::to_string(id) +
                                            " is outside the vocabulary (0.." +
                                            std::to_string(vocab_size() - 1) + ")");
  return processor_->id_to_piece(id);
}

int32_t SentencePieceTokenizer::piece_to_id(std::string_view piece) const {
  int id = processor_->piece_to_id(piece);
  // SentencePiece answers unk_id for unknown pieces; only <unk> itself maps there.
  if (id == processor_->unk_id() && processor_->id_to_piece(id) != piece) return -1;
  return id;
}

void SentencePieceTokenizer::save(const std::string& model_dir) const {
  write_file_atomic(model_dir + "/tokenizer.model", serialized_);
}

}  // namespace gpt2
