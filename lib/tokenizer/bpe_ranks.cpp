#include "tokenizer/bpe_ranks.h"

#include <limits>
#include <queue>

namespace gpt2 {
namespace {
constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();
// Below this many bytes the O(n^2) scan beats a heap; above it, long runs (digits, spaces)
// would make the scan quadratic.
constexpr size_t kShortPiece = 64;
}  // namespace

BpeRanks::BpeRanks(
    const std::vector<int32_t>& byte_ids,
    const std::vector<std::pair<std::string, std::pair<uint32_t, int32_t>>>& mergeable)
    : byte_ids_(byte_ids) {
  std::unordered_map<std::string_view, int32_t> part_id;
  std::string single[256];
  for (int b = 0; b < 256; ++b) {
    single[b] = std::string(1, static_cast<char>(b));
    part_id[single[b]] = byte_ids_[b];
  }
  for (const auto& [bytes, rank_id] : mergeable) part_id.emplace(bytes, rank_id.second);
  pairs_.reserve(mergeable.size() * 8);
  for (const auto& [bytes, rank_id] : mergeable) {
    std::string_view text = bytes;
    for (size_t k = 1; k < text.size(); ++k) {
      auto left = part_id.find(text.substr(0, k));
      auto right = part_id.find(text.substr(k));
      if (left == part_id.end() || right == part_id.end()) continue;
      auto [it, inserted] =
          pairs_.emplace(key(left->second, right->second), Merge{rank_id.first, rank_id.second});
      if (!inserted && rank_id.first < it->second.rank)
        it->second = {rank_id.first, rank_id.second};
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
