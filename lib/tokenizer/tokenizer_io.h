#pragma once
// Finding and writing a tokenizer inside a model directory, next to config.json, in the files
// the Hugging Face ecosystem uses: tokenizer.model (SentencePiece) or vocab.json + merges.txt
// (GPT-2 BPE; OpenAI's encoder.json + vocab.bpe are read too).
#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace gpt2 {

// Loads the tokenizer in `path`: a model directory, or a tokenizer.model / vocab.json file.
// Throws Error naming the directory and the files looked for when there is none.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

// True when `model_dir` holds tokenizer files load_tokenizer understands.
bool has_tokenizer(const std::string& model_dir);

// Writes the tokenizer's files into `model_dir` (created when missing).
void save_tokenizer(const Tokenizer& tokenizer, const std::string& model_dir);

}  // namespace gpt2
