#pragma once
// Trains a SentencePiece model (BPE, unigram, char or word) from text files with
// libsentencepiece.
//
// exact (the default) makes the model lossless on ordinary text: identity normalisation (no
// NFKC), no whitespace collapsing, no dummy prefix, whitespace-only pieces allowed, and '\n' a
// user-defined symbol, because SentencePiece reads training text line by line and would
// otherwise never see (or keep) newlines. A char model trained this way has one piece per
// distinct character of the input (plus <unk> and the enabled control tokens).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/sentencepiece_tokenizer.h"

namespace gpt2 {

struct SentencePieceTrainOptions {
  std::string model_type = "bpe";   // bpe | unigram | char | word
  int64_t vocab_size = 8000;        // ignored for char models: every character is kept
  std::vector<std::string> inputs;  // text files
  bool byte_fallback = false;       // unknown characters become <0xNN> byte pieces
  bool exact = true;                // see above
  double character_coverage = 1.0;  // share of characters kept (SentencePiece's default 0.9995)
  bool eos = true;                  // </s>: the end-of-text token the data pipeline inserts
  bool bos = false;                 // <s>
  bool pad = false;                 // <pad>
  std::vector<std::string> user_defined_symbols;
  int64_t max_sentences = 0;  // sample this many lines for training (0 = all)
  int64_t threads = 2;
  bool verbose = false;  // SentencePiece's own training log on stderr
};

std::unique_ptr<SentencePieceTokenizer> train_sentencepiece(
    const SentencePieceTrainOptions& options);

}  // namespace gpt2
