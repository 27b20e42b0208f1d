#include "data/token_stream.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "data/file_glob.h"

namespace gpt2 {

ShardReader::ShardReader(const std::string& path) : path_(path), header_(read_shard_header(path)) {
  map_bytes_ = kShardHeaderBytes + static_cast<size_t>(header_.tokens) * header_.token_bytes();
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error("cannot read token shard " + path + ": " + std::strerror(errno));
  map_ = ::mmap(nullptr, map_bytes_, PROT_READ, MAP_SHARED, fd, 0);
  int saved = errno;
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw Error("cannot memory-map token shard " + path + ": " + std::strerror(saved));
  }
  tokens_ = static_cast<const char*>(map_) + kShardHeaderBytes;
}

ShardReader::~ShardReader() {
  if (map_) ::munmap(map_, map_bytes_);
}

std::shared_ptr<const TokenStream> TokenStream::open(const std::vector<std::string>& patterns) {
  require(!patterns.empty(), "no token shards given (set data.train_shards / data.val_shards)");
  auto stream = std::make_shared<TokenStream>();
  for (const auto& path : expand_file_patterns(patterns, "token shard")) {
    stream->shards_.push_back(std::make_unique<ShardReader>(path));
    stream->starts_.push_back(stream->total_);
    stream->total_ += stream->shards_.back()->size();
  }
  return stream;
}

void TokenStream::read(int64_t offset, int64_t count, int64_t* out) const {
  require(offset >= 0 && count >= 0 && offset + count <= total_,
          "token range [" + std::to_string(offset) + ", " + std::to_string(offset + count) +
              ") is outside the " + std::to_string(total_) + "-token stream");
  size_t s = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
  while (count > 0) {
    const ShardReader& shard = *shards_[s];
    int64_t local = offset - starts_[s];
    int64_t n = std::min(count, shard.size() - local);
    for (int64_t i = 0; i < n; ++i) out[i] = shard[local + i];
    out += n;
    offset += n;
    count -= n;
    ++s;
  }
}

}  // namespace gpt2
