#pragma once
// Exact n-gram counting for the metrics. An n-gram is a view of n consecutive items (token ids
// or code points) in a caller-owned array; tables hash the items and compare them on lookup,
// so results never depend on hash collisions. Open addressing keeps per-sentence tables in
// cache, which is where most of the metrics' time goes.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace gpt2::metrics {

inline uint64_t mix_hash(uint64_t h, uint64_t item) {
  h = (h ^ item) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

// A fast string hash: eight bytes at a time.
inline uint64_t hash_bytes(std::string_view text) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ text.size();
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, text.data() + i, 8);
    h = mix_hash(h, chunk);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, text.data() + i, text.size() - i);
  h = mix_hash(h, tail);
  return h ^ (h >> 32);
}

template <typename T>
class NgramTable {
 public:
  struct Entry {
    const T* items = nullptr;
    uint64_t hash = 0;
    uint32_t n = 0;
    uint32_t count = 0;  // 0 marks an empty slot
  };

  // Empties the table, sized for about `expected` distinct n-grams.
  void clear(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    if (slots_.size() < capacity) {
      slots_.assign(capacity, Entry{});
    } else {
      for (size_t i : used_) slots_[i].count = 0;
    }
    used_.clear();
  }

  // The entry for items[0..n), inserted with count 0 when absent.
  Entry& at(const T* items, uint32_t n, uint64_t hash) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Entry& e = slots_[i];
      if (e.count == 0) {
        if (used_.size() * 2 >= slots_.size()) {
          grow();
          return at(items, n, hash);
        }
        e.items = items, e.hash = hash, e.n = n;
        used_.push_back(i);
        return e;
      }
      if (e.hash == hash && e.n == n && same(items, e.items, n)) return e;
    }
  }

  // The count of items[0..n), 0 when absent.
  uint32_t count(const T* items, uint32_t n, uint64_t hash) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Entry& e = slots_[i];
      if (e.count == 0) return 0;
      if (e.hash == hash && e.n == n && same(items, e.items, n)) return e.count;
    }
  }

  // Counts every n-gram of orders min_order..max_order in items[0..size).
  void add_all(const T* items, size_t size, int min_order, int max_order) {
    for (size_t i = 0; i < size; ++i) {
      uint64_t h = 0x84222325CBF29CE4ULL;
      for (int n = 1; n <= max_order && i + n <= size; ++n) {
        h = mix_hash(h, static_cast<uint64_t>(items[i + n - 1]));
        if (n >= min_order) at(items + i, n, h).count += 1;
      }
    }
  }

  template <typename F>
  void for_each(F&& visit) const {
    for (size_t i : used_) visit(slots_[i]);
  }
  size_t size() const { return used_.size(); }

 private:
  // A plain loop: n is tiny, and std::equal on integers becomes a memcmp call.
  static bool same(const T* a, const T* b, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

  void grow() {
    std::vector<Entry> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Entry{});
    used_.clear();
    size_t mask = slots_.size() - 1;
    for (const Entry& e : old) {
      if (e.count == 0) continue;
      size_t i = e.hash & mask;
      while (slots_[i].count != 0) i = (i + 1) & mask;
      slots_[i] = e;
      used_.push_back(i);
    }
  }

  std::vector<Entry> slots_ = std::vector<Entry>(16);
  std::vector<size_t> used_;
};

// Maps strings to dense ids 0, 1, 2... (exact: equal ids <=> equal strings). The strings are
// views; their storage must outlive the interner's use.
class Interner {
 public:
  void clear(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    if (slots_.size() < capacity) {
      slots_.assign(capacity, Slot{});
    } else {
      for (size_t i : used_) slots_[i].id = kEmpty;
    }
    used_.clear();
  }

  uint32_t id(std::string_view text) {
    uint64_t h = hash_bytes(text);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        if (used_.size() * 2 >= slots_.size()) {
          grow();
          return id(text);
        }
        s.text = text, s.hash = h, s.id = static_cast<uint32_t>(used_.size());
        used_.push_back(i);
        return s.id;
      }
      if (s.hash == h && s.text == text) return s.id;
    }
  }

  size_t size() const { return used_.size(); }

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::string_view text;
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    std::vector<size_t> order(used_.size());
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
      order[s.id] = i;
    }
    used_ = order;
  }

  std::vector<Slot> slots_ = std::vector<Slot>(16);
  std::vector<size_t> used_;  // slot of each id
};

}  // namespace gpt2::metrics
