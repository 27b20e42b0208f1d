#include "tokenizer/bpe_ranks.h"

#include <limits>
#include <queue>
#include <string>

#include "tokenizer/string_id_table.h"

namespace gpt2 {
namespace {
constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();
// Below this many bytes the O(n^2) scan beats a heap; above it, long runs (digits, spaces)
// would make the scan quadratic.
constexpr size_t kShortPiece = 64;
}  // namespace

BpeRanks::BpeRanks(
    const std::vector<int32_t>& byte_ids,
    const std::vector<std::pair<std::string_view, std::pair<uint32_t, int32_t>>>& mergeable)
    : byte_ids_(byte_ids) {
  StringIdTable part_id(256 + mergeable.size());
  std::string single[256];
  for (int b = 0; b < 256; ++b) {
    single[b] = std::string(1, static_cast<char>(b));
    part_id.insert(single[b], byte_ids_[b]);
  }
  for (const auto& [bytes, rank_id] : mergeable) part_id.insert(bytes, rank_id.second);
  size_t capacity = 16;
  while (capacity < 4 * mergeable.size()) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  std::vector<uint64_t> suffix_hash;
  for (const auto& [text, rank_id] : mergeable) {
    const size_t n = text.size();
    suffix_hash.assign(n + 1, 0);  // suffix_hash[k] = StringIdTable::hash(text.substr(k))
    uint64_t power = 1;
    for (size_t i = n; i-- > 0; power *= StringIdTable::kBase)
      suffix_hash[i] = suffix_hash[i + 1] + static_cast<unsigned char>(text[i]) * power;
    uint64_t prefix_hash = 0;
    for (size_t k = 1; k < n; ++k) {
      prefix_hash = StringIdTable::extend(prefix_hash, static_cast<unsigned char>(text[k - 1]));
      const int32_t left = part_id.find(text.substr(0, k), prefix_hash);
      if (left < 0) continue;
      const int32_t right = part_id.find(text.substr(k), suffix_hash[k]);
      if (right < 0) continue;
      insert(key(left, right), Merge{rank_id.first, rank_id.second});
    }
  }
}

void BpeRanks::insert(uint64_t k, Merge merge) {
  if (2 * (used_ + 1) > slots_.size()) {  // grow: keep the table at most half full
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    used_ = 0;
    for (const Slot& slot : old)
      if (slot.key != kEmpty) insert(slot.key, slot.merge);
  }
  for (uint64_t i = slot_of(k);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.key == kEmpty) {
      slot = {k, merge};
      ++used_;
      return;
    }
    if (slot.key == k) {  // two splits give the same pair: the lower rank merges first
      if (merge.rank < slot.merge.rank) slot.merge = merge;
      return;
    }
  }
}

void BpeRanks::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.size() == 1) {
    out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
  } else if (piece.size() <= kShortPiece) {
    merge_short(piece, out);
  } else {
    merge_long(piece, out);
  }
}

void BpeRanks::merge_short(std::string_view piece, std::vector<int32_t>& out) const {
  struct Part {
    int32_t id;
    uint32_t rank;  // of merging with the next part
    int32_t merged;
  };
  Part parts[kShortPiece];
  size_t n = piece.size();
  for (size_t i = 0; i < n; ++i)
    parts[i] = {byte_ids_[static_cast<unsigned char>(piece[i])], kNoRank, -1};
  auto rate = [&](size_t i) {
    const Merge* m = i + 1 < n ? find(parts[i].id, parts[i + 1].id) : nullptr;
    parts[i].rank = m ? m->rank : kNoRank;
    parts[i].merged = m ? m->merged_id : -1;
  };
  for (size_t i = 0; i + 1 < n; ++i) rate(i);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i)
      if (parts[i].rank < parts[best].rank) best = i;
    if (parts[best].rank == kNoRank) break;
    parts[best].id = parts[best].merged;
    for (size_t i = best + 1; i + 1 < n; ++i) parts[i] = parts[i + 1];
    --n;
    rate(best);
    if (best > 0) rate(best - 1);
  }
  for (size_t i = 0; i < n; ++i) out.push_back(parts[i].id);
}

void BpeRanks::merge_long(std::string_view piece, std::vector<int32_t>& out) const {
  // Doubly linked parts, identified by their first byte's offset; a min-heap of candidate
  // merges ordered by (rank, offset) reproduces "lowest rank, leftmost first".
  const int n = static_cast<int>(piece.size());
  std::vector<int32_t> id(n), next(n), prev(n);
  std::vector<bool> alive(n, true);
  for (int i = 0; i < n; ++i) {
    id[i] = byte_ids_[static_cast<unsigned char>(piece[i])];
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  struct Candidate {
    uint32_t rank;
    int left;
    int32_t left_id, right_id, merged;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : left > o.left;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto push = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    if (const Merge* m = find(id[left], id[next[left]]))
      heap.push({m->rank, left, id[left], id[next[left]], m->merged_id});
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    int right = alive[c.left] ? next[c.left] : -1;
    if (right < 0 || id[c.left] != c.left_id || id[right] != c.right_id) continue;  // stale
    id[c.left] = c.merged;
    alive[right] = false;
    next[c.left] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.left;
    push(prev[c.left]);
    push(c.left);
  }
  for (int i = 0; i >= 0; i = next[i]) out.push_back(id[i]);
}

}  // namespace gpt2
