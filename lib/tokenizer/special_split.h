#pragma once
// Splits text around special-token strings ("<|endoftext|>") for AllowedSpecial::all.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gpt2 {

struct SpecialPiece {
  std::string text;
  int32_t id;
};

// Calls on_text(segment) for ordinary text and on_special(id) for each special token found,
// in order. Leftmost match wins; among matches at one position, the longest.
template <class OnText, class OnSpecial>
void split_on_specials(std::string_view text, const std::vector<SpecialPiece>& specials,
                       OnText&& on_text, OnSpecial&& on_special) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t best = std::string_view::npos, best_len = 0;
    int32_t best_id = -1;
    for (const auto& special : specials) {
      if (special.text.empty()) continue;
      size_t at = text.find(special.text, pos);
      if (at == std::string_view::npos) continue;
      if (at < best || (at == best && special.text.size() > best_len)) {
        best = at;
        best_len = special.text.size();
        best_id = special.id;
      }
    }
    if (best == std::string_view::npos) {
      if (pos < text.size()) on_text(text.substr(pos));
      return;
    }
    if (best > pos) on_text(text.substr(pos, best - pos));
    on_special(best_id);
    pos = best + best_len;
  }
}

}  // namespace gpt2
