#include "generate/stopping.h"

#include <algorithm>

#include "core/error.h"

namespace gpt2 {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::length:
      return "length";
    case StopReason::stop_token:
      return "stop_token";
    case StopReason::stop_string:
      return "stop_string";
    case StopReason::context:
      return "context";
  }
  return "unknown";
}

StopPolicy::StopPolicy(StopSettings settings, Detokenizer decode)
    : settings_(std::move(settings)), decode_(std::move(decode)) {
  require(settings_.stop_strings.empty() || decode_,
          "generate.stop_strings needs a tokenizer to turn tokens into text");
}

bool StopPolicy::is_stop_id(int64_t token) const {
  const auto& ids = settings_.stop_ids;
  return std::find(ids.begin(), ids.end(), token) != ids.end();
}

namespace {
std::vector<int64_t> generated_of(const TokenHistory& row) {
  return {row.tokens.begin() + row.prompt_length, row.tokens.end()};
}
}  // namespace

bool StopPolicy::hits_stop_string(const TokenHistory& row) const {
  if (settings_.stop_strings.empty() || row.generated() == 0) return false;
  std::string text = decode_(generated_of(row));
  for (const auto& s : settings_.stop_strings)
    if (text.find(s) != std::string::npos) return true;
  return false;
}

std::optional<StopReason> StopPolicy::stop_if_appended(const TokenHistory& row,
                                                       int64_t token) const {
  if (is_stop_id(token)) return StopReason::stop_token;
  if (!has_stop_strings()) return std::nullopt;
  TokenHistory extended = row;
  extended.tokens.push_back(token);
  if (hits_stop_string(extended)) return StopReason::stop_string;
  return std::nullopt;
}

std::optional<StopReason> StopPolicy::check(const TokenHistory& row) const {
  if (row.generated() > 0 && is_stop_id(row.tokens.back())) return StopReason::stop_token;
  if (hits_stop_string(row)) return StopReason::stop_string;
  return limit_reached(row);
}

std::optional<StopReason> StopPolicy::limit_reached(const TokenHistory& row) const {
  if (row.generated() >= settings_.max_new_tokens) return StopReason::length;
  if (settings_.context_length > 0 &&
      static_cast<int64_t>(row.tokens.size()) >= settings_.context_length)
    return StopReason::context;
  return std::nullopt;
}

int64_t StopPolicy::longest(int64_t prompt_length) const {
  if (settings_.context_length <= 0) return settings_.max_new_tokens;
  return std::min(settings_.max_new_tokens, settings_.context_length - prompt_length);
}

std::string StopPolicy::final_text(const std::vector<int64_t>& generated, StopReason reason) const {
  if (!decode_) return "";
  std::vector<int64_t> ids = generated;
  if (reason == StopReason::stop_token && !ids.empty() && is_stop_id(ids.back())) ids.pop_back();
  std::string text = decode_(ids);
  if (reason == StopReason::stop_string) {
    size_t cut = std::string::npos;
    for (const auto& s : settings_.stop_strings) cut = std::min(cut, text.find(s));
    if (cut != std::string::npos) text.resize(cut);
  }
  return text;
}

std::string unescape_stop_string(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (text[i] == '\\' && (next == 'n' || next == 't' || next == '\\')) {
      out += next == 'n' ? '\n' : next == 't' ? '\t' : '\\';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace gpt2
