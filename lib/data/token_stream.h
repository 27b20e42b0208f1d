#pragma once
// Token shards, memory-mapped, seen as one stream: shard i's tokens follow shard i-1's (that is
// how `gpt2 prepare` cut them), so windows may cross shard boundaries.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/shard_format.h"

namespace gpt2 {

// One memory-mapped shard.
class ShardReader {
 public:
  explicit ShardReader(const std::string& path);  // checks the header; throws Error
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  const std::string& path() const { return path_; }
  int64_t size() const { return header_.tokens; }
  int token_bytes() const { return header_.token_bytes(); }
  uint32_t operator[](int64_t i) const {
    return header_.version == 1 ? static_cast<const uint16_t*>(tokens_)[i]
                                : static_cast<const uint32_t*>(tokens_)[i];
  }

 private:
  std::string path_;
  ShardHeader header_;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  const void* tokens_ = nullptr;
};

class TokenStream {
 public:
  // Opens the shards the patterns name (globs allowed, expanded in sorted order).
  static std::shared_ptr<const TokenStream> open(const std::vector<std::string>& patterns);

  int64_t size() const { return total_; }
  size_t shard_count() const { return shards_.size(); }
  const ShardReader& shard(size_t i) const { return *shards_[i]; }

  // Copies tokens [offset, offset + count) into out; throws Error when out of range.
  void read(int64_t offset, int64_t count, int64_t* out) const;

 private:
  std::vector<std::unique_ptr<ShardReader>> shards_;
  std::vector<int64_t> starts_;  // first stream offset of each shard
  int64_t total_ = 0;
};

}  // namespace gpt2
