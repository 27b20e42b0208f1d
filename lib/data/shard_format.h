#pragma once
// Token shards in llm.c's binary layout (also what nanoGPT-style loaders read after the
// header): 256 little-endian int32 header words -- magic 20240520, version, token count --
// then the tokens, uint16 (version 1) or uint32 (version 2, vocabularies above 65,535).
#include <cstdint>
#include <string>
#include <vector>

namespace gpt2 {

constexpr int32_t kShardMagic = 20240520;
constexpr int kShardHeaderInts = 256;
constexpr size_t kShardHeaderBytes = kShardHeaderInts * sizeof(int32_t);

struct ShardHeader {
  int32_t version = 1;  // 1: uint16 tokens, 2: uint32 tokens
  int64_t tokens = 0;   // token count
  int token_bytes() const { return version == 1 ? 2 : 4; }
};

// 2 (uint16, version 1) when every id of a vocabulary of `vocab_size` fits, else 4.
int token_bytes_for_vocab(int64_t vocab_size);

// Writes a shard atomically. token_bytes: 2 or 4. Throws Error when an id does not fit.
void write_shard(const std::string& path, const std::vector<uint32_t>& tokens, int token_bytes);
void write_shard(const std::string& path, const uint32_t* tokens, size_t count, int token_bytes);

// Reads and checks the header of `path` against the file's size; throws Error naming the
// file and what is wrong.
ShardHeader read_shard_header(const std::string& path);

// True when `path` is meant as a token shard: it has the shard magic, a .bin name, or a
// header-sized prefix whose magic is a near miss (another llm.c file such as a model
// checkpoint, a byte-swapped or damaged magic). Commands read such a file as a shard, so
// read_shard_header's checks say what is wrong, instead of tokenizing binary data as text.
bool looks_like_shard(const std::string& path);

// The whole shard's tokens (for tests and small files; training uses ShardReader's mmap).
std::vector<uint32_t> read_shard_tokens(const std::string& path);

}  // namespace gpt2
