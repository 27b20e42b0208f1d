#pragma once
// The byte-level BPE merge table and merge loop, in tiktoken's semantics: the pieces of a word
// start as single bytes, and the adjacent pair whose concatenation has the lowest merge rank
// (leftmost on ties) is merged until no pair's concatenation is mergeable. Pairs are keyed by
// token ids, so the loop never builds strings.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gpt2 {

class BpeRanks {
 public:
  struct Merge {
    uint32_t rank;
    int32_t merged_id;
  };

  // byte_ids[b]: the id of the single-byte token b. mergeable: byte strings with their rank
  // (merge order) and id. Every way of splitting a mergeable string into two tokens that can
  // occur while merging (single bytes or mergeable strings) becomes a pair entry.
  BpeRanks(const std::vector<int32_t>& byte_ids,
           const std::vector<std::pair<std::string, std::pair<uint32_t, int32_t>>>& mergeable);
  BpeRanks() = default;

  // Appends the ids of one pre-tokenised piece.
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

 private:
  const Merge* find(int32_t left, int32_t right) const {
    auto it = pairs_.find(key(left, right));
    return it == pairs_.end() ? nullptr : &it->second;
  }
  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  void merge_short(std::string_view piece, std::vector<int32_t>& out) const;
  void merge_long(std::string_view piece, std::vector<int32_t>& out) const;

  struct KeyHash {
    size_t operator()(uint64_t k) const { return (k * 0x9E3779B97F4A7C15ULL) >> 20; }
  };
  std::vector<int32_t> byte_ids_;
  std::unordered_map<uint64_t, Merge, KeyHash> pairs_;
};

}  // namespace gpt2
