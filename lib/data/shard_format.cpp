#include "data/shard_format.h"

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/files.h"

namespace gpt2 {

int token_bytes_for_vocab(int64_t vocab_size) {
  return vocab_size > 65535 ? 4 : 2;
}

void write_shard(const std::string& path, const uint32_t* tokens, size_t count, int token_bytes) {
  require(token_bytes == 2 || token_bytes == 4,
          "token width must be 2 (uint16) or 4 (uint32) bytes, not " + std::to_string(token_bytes));
  require(count <= static_cast<size_t>(INT32_MAX),
          path + ": " + std::to_string(count) +
              " tokens do not fit one shard's int32 count; "
              "use smaller shards");
  if (token_bytes == 2)
    for (size_t i = 0; i < count; ++i)
      require(tokens[i] <= 0xFFFF, "token id " + std::to_string(tokens[i]) +
                                       " does not fit uint16 shards (" + path +
                                       "); use 32-bit tokens (--token-bits 32)");
  std::vector<int32_t> header(kShardHeaderInts, 0);
  header[0] = kShardMagic;
  header[1] = token_bytes == 2 ? 1 : 2;
  header[2] = static_cast<int32_t>(count);
  write_file_atomic(path, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(header.data()), kShardHeaderBytes);
    if (token_bytes == 4) {
      out.write(reinterpret_cast<const char*>(tokens), count * 4);
      return;
    }
    std::vector<uint16_t> narrow(1 << 16);
    for (size_t start = 0; start < count; start += narrow.size()) {
      size_t n = std::min(narrow.size(), count - start);
      for (size_t i = 0; i < n; ++i) narrow[i] = static_cast<uint16_t>(tokens[start + i]);
      out.write(reinterpret_cast<const char*>(narrow.data()), n * 2);
    }
  });
}

void write_shard(const std::string& path, const std::vector<uint32_t>& tokens, int token_bytes) {
  write_shard(path, tokens.data(), tokens.size(), token_bytes);
}

ShardHeader read_shard_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read token shard " + path + ": " + std::strerror(errno));
  int32_t header[kShardHeaderInts];
  in.read(reinterpret_cast<char*>(header), kShardHeaderBytes);
  require(in.gcount() == static_cast<std::streamsize>(kShardHeaderBytes),
          path +
              ": too short for a token shard (no 1024-byte header); make shards with "
              "`gpt2 prepare`");
  require(header[0] == kShardMagic, path + ": not a token shard (magic " +
                                        std::to_string(header[0]) + ", expected " +
                                        std::to_string(kShardMagic) + ")");
  require(header[1] == 1 || header[1] == 2, path + ": unsupported shard version " +
                                                std::to_string(header[1]) +
                                                " (1 = uint16 tokens, 2 = uint32)");
  ShardHeader result;
  result.version = header[1];
  result.tokens = header[2];
  uint64_t expected =
      kShardHeaderBytes + static_cast<uint64_t>(result.tokens) * result.token_bytes();
  uint64_t actual = file_size(path);
  require(result.tokens >= 0 && actual == expected,
          path + ": header says " + std::to_string(result.tokens) + " tokens (" +
              std::to_string(expected) + " bytes) but the file has " + std::to_string(actual) +
              " bytes; the shard is truncated or corrupt");
  return result;
}

bool looks_like_shard(const std::string& path) {
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".bin") == 0) return true;
  const std::string head = read_file_prefix(path, kShardHeaderBytes);
  if (head.size() < 4) return false;
  uint32_t magic = 0;
  std::memcpy(&magic, head.data(), 4);
  if (int32_t(magic) == kShardMagic) return true;
  if (head.size() < kShardHeaderBytes) return false;
  const uint32_t swapped = __builtin_bswap32(magic);
  // llm.c's magics are dates (20240326 for model files, 20240520 for shards).
  auto near = [](uint32_t x) { return x >= 20000000u && x <= 20991231u; };
  return near(magic) || near(swapped);
}

std::vector<uint32_t> read_shard_tokens(const std::string& path) {
  ShardHeader header = read_shard_header(path);
  std::string bytes = read_file(path);
  std::vector<uint32_t> tokens(header.tokens);
  const char* data = bytes.data() + kShardHeaderBytes;
  for (int64_t i = 0; i < header.tokens; ++i) {
    if (header.version == 1) {
      uint16_t v;
      std::memcpy(&v, data + 2 * i, 2);
      tokens[i] = v;
    } else {
      std::memcpy(&tokens[i], data + 4 * i, 4);
    }
  }
  return tokens;
}

}  // namespace gpt2
