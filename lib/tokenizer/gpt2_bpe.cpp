#include "tokenizer/gpt2_bpe.h"

#include <atomic>
#include <unordered_map>

#include "core/error.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"

namespace gpt2 {
namespace {

// Pieces seen before and their ids, per thread (no locks on the hot path). One tokenizer's
// entries at a time; bounded so a long run over varied text cannot grow it without limit.
struct WordCache {
  uint64_t owner = 0;
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> index;  // offset, count
  std::vector<int32_t> ids;
  void reset(uint64_t new_owner) {
    owner = new_owner;
    index.clear();
    ids.clear();
  }
};
constexpr size_t kCacheEntries = 1 << 18;

}  // namespace

Gpt2Bpe::Gpt2Bpe(std::vector<std::string> vocab, MergeList merges, const std::string& source)
    : vocab_(std::move(vocab)), merges_(std::move(merges)) {
  static std::atomic<uint64_t> next_instance{1};
  instance_id_ = next_instance++;
  const size_t n = vocab_.size();
  token_bytes_.resize(n);
  StringIdTable decoded_to_id(n);  // keys point into token_bytes_
  piece_to_id_ = StringIdTable(n);
  for (size_t id = 0; id < n; ++id) {
    const int32_t first = piece_to_id_.insert(vocab_[id], static_cast<int32_t>(id));
    if (first != static_cast<int32_t>(id))
      throw Error(source + ": token \"" + vocab_[id] + "\" appears twice (ids " +
                  std::to_string(first) + " and " + std::to_string(id) + ")");
    auto bytes = unicode_text_to_bytes(vocab_[id]);
    token_bytes_[id] = bytes ? *bytes : vocab_[id];
    if (bytes) decoded_to_id.insert(token_bytes_[id], static_cast<int32_t>(id));
  }
  std::vector<int32_t> byte_ids(256);
  for (int b = 0; b < 256; ++b) {
    const int32_t id = decoded_to_id.find(std::string(1, static_cast<char>(b)));
    require(id >= 0, source + ": not a byte-level BPE vocabulary: no token for byte " +
                         std::to_string(b) + " (\"" +
                         bytes_to_unicode_text(std::string(1, static_cast<char>(b))) + "\")");
    byte_ids[b] = id;
  }
  // Merge i has rank i; the first merge producing a byte string gives that string's rank.
  std::vector<std::pair<std::string_view, std::pair<uint32_t, int32_t>>> mergeable;
  std::vector<bool> seen(n, false);
  mergeable.reserve(merges_.size());
  for (size_t i = 0; i < merges_.size(); ++i) {
    auto left = unicode_text_to_bytes(merges_[i].first);
    auto right = unicode_text_to_bytes(merges_[i].second);
    if (!left || !right)
      throw Error(source + ": merge " + std::to_string(i + 1) + " (\"" + merges_[i].first + " " +
                  merges_[i].second + "\") uses characters outside GPT-2's byte alphabet");
    std::string merged = *left + *right;
    const int32_t id = decoded_to_id.find(merged);
    if (id < 0)
      throw Error(source + ": merge " + std::to_string(i + 1) + " (\"" + merges_[i].first + " " +
                  merges_[i].second + "\") produces a token missing from the vocabulary");
    if (!seen[id]) {
      seen[id] = true;
      mergeable.push_back({token_bytes_[id], {static_cast<uint32_t>(i), id}});
    }
  }
  ranks_ = BpeRanks(byte_ids, mergeable);

  // Tokens BPE can produce: the 256 bytes and the merge results. Every other entry is an
  // added token ("<|endoftext|>"), matched literally only when the caller allows specials.
  std::vector<bool> reachable(n, false);
  for (int32_t id : byte_ids) reachable[id] = true;
  for (const auto& m : mergeable) reachable[m.second.second] = true;
  bytes_to_id_ = StringIdTable(n);
  for (size_t id = 0; id < n; ++id) {
    if (reachable[id])
      bytes_to_id_.insert(token_bytes_[id], static_cast<int32_t>(id));
    else
      specials_.push_back({token_bytes_[id], static_cast<int32_t>(id)});
  }
  const int32_t eot = piece_to_id_.find("<|endoftext|>");
  if (eot >= 0) {
    special_ids_.end_of_text = eot;
    special_ids_.bos = eot;  // GPT-2 uses <|endoftext|> for both; it has no pad
  }
}

void Gpt2Bpe::encode_ordinary(std::string_view text, std::vector<int32_t>& out) const {
  thread_local WordCache cache;
  if (cache.owner != instance_id_) cache.reset(instance_id_);
  Gpt2PreTokenizer::instance().split(text, [&](std::string_view piece) {
    const int32_t whole = bytes_to_id_.find(piece);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
    std::string key(piece);
    auto hit = cache.index.find(key);
    if (hit != cache.index.end()) {
      const int32_t* ids = cache.ids.data() + hit->second.first;
      out.insert(out.end(), ids, ids + hit->second.second);
      return;
    }
    size_t start = out.size();
    ranks_.encode_piece(piece, out);
    if (cache.index.size() >= kCacheEntries) cache.reset(instance_id_);
    cache.index.emplace(std::move(key), std::make_pair(static_cast<uint32_t>(cache.ids.size()),
                                                       static_cast<uint32_t>(out.size() - start)));
    cache.ids.insert(cache.ids.end(), out.begin() + start, out.end());
  });
}

void Gpt2Bpe::encode_append(std::string_view text, std::vector<int32_t>& out,
                            AllowedSpecial allowed) const {
  if (allowed == AllowedSpecial::none || specials_.empty()) {
    encode_ordinary(text, out);
    return;
  }
  split_on_specials(
      text, specials_, [&](std::string_view segment) { encode_ordinary(segment, out); },
      [&](int32_t id) { out.push_back(id); });
}

const std::string& Gpt2Bpe::token_bytes(int32_t id) const {
  // Not require(): its message would be built for every token.
  if (id < 0 || static_cast<size_t>(id) >= token_bytes_.size())
    throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                std::to_string(token_bytes_.size() - 1) + ")");
  return token_bytes_[id];
}

std::string Gpt2Bpe::decode(const int32_t* ids, size_t count) const {
  std::string text;
  text.reserve(count * 4);
  for (size_t i = 0; i < count; ++i) text += token_bytes(ids[i]);
  return text;
}

std::string Gpt2Bpe::id_to_piece(int32_t id) const {
  token_bytes(id);  // range check
  return vocab_[id];
}

int32_t Gpt2Bpe::piece_to_id(std::string_view piece) const {
  return piece_to_id_.find(piece);
}

}  // namespace gpt2
