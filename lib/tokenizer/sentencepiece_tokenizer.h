#pragma once
// A SentencePiece model (BPE, unigram, char or word) behind the Tokenizer interface, stored
// as tokenizer.model (the file Hugging Face's LlamaTokenizer & co. read).
//
// Special tokens: end_of_text is the model's eos (</s>), bos its <s>, pad its <pad>; -1 when
// the model has none. With AllowedSpecial::all their literal text in the input becomes the id.
// Invalid UTF-8 and characters the model never saw become <unk> (or bytes, for models trained
// with byte fallback), so only models with byte fallback round-trip arbitrary text.
#include <memory>
#include <string>

#include "tokenizer/sentencepiece_backend.h"
#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // From the bytes of a serialized ModelProto; `source` names it in errors.
  SentencePieceTokenizer(const std::string& serialized_model, const std::string& source);
  ~SentencePieceTokenizer() override;

  static std::unique_ptr<SentencePieceTokenizer> load(const std::string& model_file);

  std::string kind() const override { return "sentencepiece"; }
  void encode_append(std::string_view text, std::vector<int32_t>& out,
                     AllowedSpecial allowed = AllowedSpecial::none) const override;
  using Tokenizer::decode;
  std::string decode(const int32_t* ids, size_t count) const override;
  int64_t vocab_size() const override;
  SpecialTokens special_tokens() const override { return special_ids_; }
  std::string id_to_piece(int32_t id) const override;
  int32_t piece_to_id(std::string_view piece) const override;
  bool splits_after_newline() const override { return splits_after_newline_; }
  void save(const std::string& model_dir) const override;

  const std::string& serialized_model() const { return serialized_; }

 private:
  void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;
  bool probe_newline_split() const;

  std::unique_ptr<SentencePieceProcessorApi> processor_;
  std::string serialized_, source_;
  SpecialTokens special_ids_;
  std::vector<SpecialPiece> specials_;
  bool splits_after_newline_ = false;
};

}  // namespace gpt2
