#pragma once
// Byte strings -> token ids in one flat array (open addressing, linear probing, at most half
// full), for the tokenizer's tables that are built once per load and read per piece. A
// node-based map costs an allocation per entry while GPT-2's 50257 tokens load, and a pointer
// chase per lookup while encoding. The keys are views: the strings they point to must outlive
// the table.
//
// The hash is a polynomial one, so a caller can have the hashes of all prefixes of a string,
// and of all its suffixes, from one pass over it (BpeRanks' split search does).
#include <cstdint>
#include <string_view>
#include <vector>

namespace gpt2 {

class StringIdTable {
 public:
  static constexpr uint64_t kBase = 0x100000001B3ULL;
  // hash(s) = sum of s[i] * kBase^(size - 1 - i), mod 2^64 (Horner's rule), so
  // hash(s + c) = extend(hash(s), c).
  static uint64_t extend(uint64_t h, unsigned char c) { return h * kBase + c; }
  static uint64_t hash(std::string_view bytes) {
    uint64_t h = 0;
    for (unsigned char c : bytes) h = extend(h, c);
    return h;
  }

  StringIdTable() : slots_(1) {}
  explicit StringIdTable(size_t expected_entries) { reset(expected_entries); }

  // Inserts key -> id unless the key is present. Returns the id the key has afterwards.
  int32_t insert(std::string_view key, int32_t id) { return insert(key, hash(key), id); }
  int32_t insert(std::string_view key, uint64_t h, int32_t id) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    for (uint64_t i = slot_of(h, key.size());; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = {h, key, id};
        ++size_;
        return id;
      }
      if (slot.hash == h && slot.key == key) return slot.id;
    }
  }
  // -1 when absent. `h` must be hash(key).
  int32_t find(std::string_view key, uint64_t h) const {
    for (uint64_t i = slot_of(h, key.size());; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id < 0) return -1;
      if (slot.hash == h && slot.key == key) return slot.id;
    }
  }
  int32_t find(std::string_view key) const { return find(key, hash(key)); }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    std::string_view key;
    int32_t id = -1;  // -1: empty (ids are >= 0)
  };
  uint64_t slot_of(uint64_t h, size_t size) const {
    h += size * 0x9E3779B97F4A7C15ULL;  // Horner's hash ignores leading zero bytes
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return h & mask_;
  }
  void reset(size_t expected_entries) {
    size_t capacity = 16;
    while (capacity < 2 * expected_entries + 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    reset(old.size());
    for (const Slot& slot : old)
      if (slot.id >= 0) insert(slot.key, slot.hash, slot.id);
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace gpt2
