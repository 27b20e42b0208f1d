#pragma once
// The byte-level BPE merge table and merge loop, in tiktoken's semantics: the pieces of a word
// start as single bytes, and the adjacent pair whose concatenation has the lowest merge rank
// (leftmost on ties) is merged until no pair's concatenation is mergeable. Pairs are keyed by
// token ids, so the loop never builds strings.
#include <cstdint>
#include <string>
#include <string_view>
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
           const std::vector<std::pair<std::string_view, std::pair<uint32_t, int32_t>>>& mergeable);
  BpeRanks() : slots_(1) {}

  // Appends the ids of one pre-tokenised piece.
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

 private:
  const Merge* find(int32_t left, int32_t right) const {
    const uint64_t k = key(left, right);
    for (uint64_t i = slot_of(k);; i = (i + 1) & mask_) {
      if (slots_[i].key == k) return &slots_[i].merge;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  void merge_short(std::string_view piece, std::vector<int32_t>& out) const;
  void merge_long(std::string_view piece, std::vector<int32_t>& out) const;

  uint64_t slot_of(uint64_t k) const { return ((k * 0x9E3779B97F4A7C15ULL) >> 20) & mask_; }
  void insert(uint64_t k, Merge merge);

  // (left, right) -> merge in one flat array, open addressing with linear probing at most
  // half full: the merge loop's lookup is one cache line, where a node-based map costs a
  // pointer chase per lookup and an allocation per pair while building.
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // ids are >= 0: no real pair is (-1, -1)
  struct Slot {
    uint64_t key = kEmpty;
    Merge merge{};
  };
  size_t used_ = 0;
  std::vector<int32_t> byte_ids_;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
};

}  // namespace gpt2
