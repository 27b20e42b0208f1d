#include "generate/processors/dry.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

namespace {

constexpr size_t kMaxBreakerBytes = 40;
constexpr size_t kMaxTailTokens = 20;

// z[k] = length of the longest common prefix of s and s[k:] (z[0] = |s|), in linear time.
std::vector<int64_t> z_function(const std::vector<int64_t>& s) {
  const auto n = static_cast<int64_t>(s.size());
  std::vector<int64_t> z(s.size(), 0);
  if (n == 0) return z;
  z[0] = n;
  for (int64_t k = 1, left = 0, right = 0; k < n; ++k) {
    auto& zk = z[static_cast<size_t>(k)];
    if (k < right) zk = std::min(right - k, z[static_cast<size_t>(k - left)]);
    while (k + zk < n && s[static_cast<size_t>(zk)] == s[static_cast<size_t>(k + zk)]) ++zk;
    if (k + zk > right) left = k, right = k + zk;
  }
  return z;
}

}  // namespace

DryProcessor::DryProcessor(DrySettings settings) : settings_(std::move(settings)) {
  require(settings_.multiplier > 0,
          "dry_multiplier must be > 0, got " + std::to_string(settings_.multiplier));
  require(settings_.base >= 1, "dry_base must be >= 1, got " + std::to_string(settings_.base));
  require(settings_.allowed_length >= 0,
          "dry_allowed_length must be >= 0, got " + std::to_string(settings_.allowed_length));
  require(settings_.last_n == -1 || settings_.last_n > 0,
          "dry_penalty_last_n must be -1 (whole history) or > 0, got " +
              std::to_string(settings_.last_n));
  for (const auto& b : settings_.breakers) {
    require(!b.empty(), "dry sequence breakers: an entry has no tokens");
    tails_[b.front()].emplace_back(b.begin() + 1, b.end());
  }
  // log(FLT_MAX) ~ 88.72, as llama.cpp caps the exponent.
  if (settings_.base > 1.000001) max_exponent_ = int64_t(88.7228391 / std::log(settings_.base));
}

std::unordered_map<int64_t, double> DryProcessor::penalties(
    const std::vector<int64_t>& tokens) const {
  const auto total = static_cast<int64_t>(tokens.size());
  const int64_t n = settings_.last_n < 0 ? total : std::min(total, settings_.last_n);
  const int64_t allowed = settings_.allowed_length;
  if (n <= allowed) return {};
  // back[i] is the i-th token from the end of the window (back[0] = the latest).
  std::vector<int64_t> back(tokens.rbegin(), tokens.rbegin() + n);

  // 1. A repeat may reach back only to the latest breaker: the nearest head, from the end,
  // whose tail follows it in full; the longest such tail wins.
  int64_t limit = n;
  for (int64_t i = 0; i < n; ++i) {
    auto found = tails_.find(back[static_cast<size_t>(i)]);
    if (found == tails_.end()) continue;
    int64_t longest = -1;
    for (const auto& tail : found->second) {
      const auto length = static_cast<int64_t>(tail.size());
      if (length <= longest || length > i) continue;
      bool match = true;
      for (int64_t o = 0; o < length && match; ++o)
        match = tail[static_cast<size_t>(o)] == back[static_cast<size_t>(i - o - 1)];
      if (match) longest = length;
    }
    if (longest >= 0) {
      limit = i - longest;
      break;
    }
  }
  if (limit < allowed) return {};

  // 2. z[k] on the reversed window: how many tokens ending k tokens before the end equal the
  // window's last ones. The token that followed them would extend that repeat.
  const auto z = z_function(back);
  std::unordered_map<int64_t, int64_t> longest;  // token -> longest repeat it extends
  for (int64_t k = 1; k < n; ++k) {
    const int64_t length = std::min(z[static_cast<size_t>(k)], limit);
    if (length < allowed) continue;
    const int64_t next = back[static_cast<size_t>(k - 1)];
    auto& best = longest[next];
    best = std::max(best, length);
  }

  // 3. multiplier * base^(length - allowed), except for one-token breakers.
  std::unordered_map<int64_t, double> out;
  for (const auto& [token, length] : longest) {
    auto found = tails_.find(token);
    if (found != tails_.end() &&
        std::any_of(found->second.begin(), found->second.end(),
                    [](const std::vector<int64_t>& tail) { return tail.empty(); }))
      continue;
    int64_t exponent = length - allowed;
    if (max_exponent_ > 0) exponent = std::min(exponent, max_exponent_);
    out[token] = settings_.multiplier * std::pow(settings_.base, double(exponent));
  }
  return out;
}

void DryProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto penalty = penalties(rows[b].tokens);
    if (penalty.empty()) continue;
    std::vector<int64_t> ids;
    std::vector<float> amounts;
    for (const auto& [token, amount] : penalty) {
      ids.push_back(token);
      amounts.push_back(static_cast<float>(amount));
    }
    auto index = at::tensor(ids, at::kLong).to(scores.device());        // (n)
    auto amount = at::tensor(amounts, at::kFloat).to(scores.device());  // (n)
    scores.select(0, static_cast<int64_t>(b)).index_add_(0, index, -amount);
  }
}

std::unique_ptr<LogitsProcessor> DryProcessor::make(const ProcessorContext& context) {
  const auto& o = context.config.processor<DryOptions>();
  if (!o.enabled()) return nullptr;
  return std::make_unique<DryProcessor>(
      DrySettings{o.multiplier, o.base, o.allowed_length, o.penalty_last_n, context.dry_breakers});
}

std::vector<std::vector<int64_t>> DryProcessor::breaker_sequences(
    const std::vector<std::string>& texts, int64_t vocab_size,
    const std::function<std::string(int64_t)>& piece,
    const std::function<std::vector<int64_t>(const std::string&)>& encode) {
  std::vector<std::string> breakers;
  for (const auto& text : texts) {
    require(!text.empty(), "generate.dry_sequence_breakers: an entry is empty; remove it");
    breakers.push_back(text.substr(0, kMaxBreakerBytes));
  }
  std::vector<std::vector<int64_t>> out;
  if (breakers.empty()) return out;
  for (int64_t id = 0; id < vocab_size; ++id) {
    const std::string word = piece(id);
    for (const auto& s : breakers) {
      if (word.find(s) != std::string::npos) {
        out.push_back({id});
        continue;
      }
      // The word's end is a proper prefix of s: the rest of s, as tokens, must follow it.
      for (size_t pos = word.find(s[0]); pos != std::string::npos; pos = word.find(s[0], pos + 1)) {
        const size_t have = word.size() - pos;
        if (have >= s.size() || s.compare(0, have, word, pos, have) != 0) continue;
        std::vector<int64_t> sequence = {id};
        auto tail = encode(s.substr(have));
        if (tail.size() > kMaxTailTokens) tail.resize(kMaxTailTokens);
        sequence.insert(sequence.end(), tail.begin(), tail.end());
        if (std::find(out.begin(), out.end(), sequence) == out.end()) out.push_back(sequence);
      }
    }
  }
  return out;
}

}  // namespace gpt2
