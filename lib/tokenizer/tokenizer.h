#pragma once
// The one tokenizer interface: text <-> ids, vocabulary size, special tokens, id <-> piece.
// Implementations: Gpt2Bpe (byte-level BPE, ids identical to tiktoken "gpt2") and
// SentencePieceTokenizer. load_tokenizer()/save_tokenizer() (tokenizer_io.h) find and write
// them in a model directory, in the files the Hugging Face ecosystem uses.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpt2 {

// Whether special-token text such as "<|endoftext|>" in the input becomes the special id
// (all) or is encoded as ordinary text (none, tiktoken's encode_ordinary).
enum class AllowedSpecial { none, all };

// -1 = the tokenizer has no such token.
struct SpecialTokens {
  int32_t end_of_text = -1;
  int32_t bos = -1;
  int32_t pad = -1;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // "gpt2-bpe" or "sentencepiece".
  virtual std::string kind() const = 0;

  // Appends the ids of `text` to `out`. Safe to call from several threads at once.
  virtual void encode_append(std::string_view text, std::vector<int32_t>& out,
                             AllowedSpecial allowed = AllowedSpecial::none) const = 0;
  std::vector<int32_t> encode(std::string_view text,
                              AllowedSpecial allowed = AllowedSpecial::none) const {
    std::vector<int32_t> ids;
    encode_append(text, ids, allowed);
    return ids;
  }

  // The text of `ids`. Throws Error for an id outside [0, vocab_size).
  virtual std::string decode(const int32_t* ids, size_t count) const = 0;
  std::string decode(const std::vector<int32_t>& ids) const {
    return decode(ids.data(), ids.size());
  }

  virtual int64_t vocab_size() const = 0;
  virtual SpecialTokens special_tokens() const = 0;

  // The vocabulary entry as the tokenizer's own files spell it ("Ġthe" for GPT-2, "▁the"
  // for SentencePiece); piece_to_id is its inverse and returns -1 for an unknown piece.
  virtual std::string id_to_piece(int32_t id) const = 0;
  virtual int32_t piece_to_id(std::string_view piece) const = 0;

  // True when encode(a + b) == encode(a) + encode(b) whenever `a` ends in a printable ASCII
  // character and '\n' and `b` starts with one; the data pipeline then encodes big texts in
  // parallel, cut at such places.
  virtual bool splits_after_newline() const = 0;

  // Writes the tokenizer's files into `model_dir` (atomically, file by file).
  virtual void save(const std::string& model_dir) const = 0;
};

}  // namespace gpt2
