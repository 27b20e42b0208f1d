#pragma once
// `gpt2 prepare`: text in, token shards out.
//
// Documents (documents.h) are tokenized on several threads, with the tokenizer's end-of-text
// token between consecutive documents, into one token stream. The validation split is either
// the last val_fraction of that stream (nanoGPT: first 90% train, last 10% val) or a second
// stream from separate val_inputs. Each split is cut into shards of at most shard_tokens
// tokens: out_dir/train_000000.bin, ..., out_dir/val_000000.bin (shard_format.h), plus
// out_dir/prepare.json describing the run. Shards left from an earlier run with more shards are
// removed, so a glob such as train_*.bin sees only this run's.
//
// Big documents are cut after a newline for parallel encoding only when the tokenizer says
// this gives the same ids (Tokenizer::splits_after_newline); the ids never depend on threads.
// Memory: the texts plus 4 bytes per token are held until the shards are written.
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace gpt2 {

struct PrepareOptions {
  std::vector<std::string> inputs;      // files or globs; *.jsonl read as JSON lines
  std::vector<std::string> val_inputs;  // validation files; then val_fraction must be 0
  std::string jsonl_field = "text";
  double val_fraction = 0.1;
  std::string out_dir;
  int64_t shard_tokens = 100000000;  // llm.c's shard size
  int token_bits = 0;                // 16, 32, or 0 = 16 when the vocabulary fits
  int threads = 0;                   // 0 = every core
  bool progress = true;              // progress bar on stderr
};

struct PrepareSummary {
  int64_t documents = 0, val_documents = 0;
  int64_t bytes = 0;  // text bytes read
  int64_t train_tokens = 0, val_tokens = 0;
  int token_bits = 16;
  int threads = 1;
  double seconds = 0;
  // Bytes that are not valid UTF-8 (the tokenizer sees them as they are: GPT-2's byte-level
  // BPE keeps them as byte tokens, others map them to their unknown / replacement token).
  int64_t invalid_utf8_bytes = 0;
  std::string invalid_utf8_file;  // the first file holding some
  std::vector<std::string> train_shards, val_shards;
};

PrepareSummary prepare_shards(const PrepareOptions& options, const Tokenizer& tokenizer);

// "documents 1, tokens 338,025 (train 304,222, val 33,803), 3.30 bytes/token, ..."
std::string format_summary(const PrepareSummary& summary);

}  // namespace gpt2
