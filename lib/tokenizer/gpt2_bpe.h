#pragma once
// GPT-2 byte-level BPE, exact: ids identical to tiktoken's "gpt2" encoding. Reads OpenAI's
// encoder.json + vocab.bpe and Hugging Face's vocab.json + merges.txt (the same content);
// saves as vocab.json + merges.txt.
//
// Encoding: pre-tokenise (Gpt2PreTokenizer), then per piece: the whole piece if it is a
// token, else a per-thread cache of earlier pieces, else the BPE merge loop.
// Invalid UTF-8 bytes become single-byte tokens, so decode(encode(x)) == x for any bytes.
// decode() returns the raw bytes, which are not valid UTF-8 when ids cut a character.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/bpe_ranks.h"
#include "tokenizer/special_split.h"
#include "tokenizer/string_id_table.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

class Gpt2Bpe : public Tokenizer {
 public:
  using MergeList = std::vector<std::pair<std::string, std::string>>;

  // vocab[id]: the token as encoder.json spells it (bytes_to_unicode text); merges in rank
  // order, spelt the same way. `source` names the files in error messages.
  Gpt2Bpe(std::vector<std::string> vocab, MergeList merges, const std::string& source);

  // Reads vocab.json + merges.txt, or encoder.json + vocab.bpe, from `dir`.
  static std::unique_ptr<Gpt2Bpe> load(const std::string& dir);
  static std::unique_ptr<Gpt2Bpe> load_files(const std::string& vocab_json,
                                             const std::string& merges_txt);
  // True when `dir` holds either pair of files.
  static bool present_in(const std::string& dir);

  std::string kind() const override { return "gpt2-bpe"; }
  void encode_append(std::string_view text, std::vector<int32_t>& out,
                     AllowedSpecial allowed = AllowedSpecial::none) const override;
  using Tokenizer::decode;
  std::string decode(const int32_t* ids, size_t count) const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(vocab_.size()); }
  SpecialTokens special_tokens() const override { return special_ids_; }
  std::string id_to_piece(int32_t id) const override;
  int32_t piece_to_id(std::string_view piece) const override;
  bool splits_after_newline() const override { return true; }
  void save(const std::string& model_dir) const override;

  // The raw bytes of one token.
  const std::string& token_bytes(int32_t id) const;
  const MergeList& merges() const { return merges_; }

 private:
  void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;

  std::vector<std::string> vocab_;        // as spelt in vocab.json
  std::vector<std::string> token_bytes_;  // raw bytes per id
  MergeList merges_;
  StringIdTable bytes_to_id_;  // mergeable tokens and bytes; keys point into token_bytes_
  StringIdTable piece_to_id_;  // keys point into vocab_
  std::vector<SpecialPiece> specials_;
  SpecialTokens special_ids_;
  BpeRanks ranks_;
  uint64_t instance_id_;  // tags this tokenizer's entries in the per-thread word cache
};

}  // namespace gpt2
