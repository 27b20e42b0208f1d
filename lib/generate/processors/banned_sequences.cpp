#include "generate/processors/banned_sequences.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "core/strings.h"
#include "generate/generate_config.h"

namespace gpt2 {

BannedSequencesProcessor::BannedSequencesProcessor(std::vector<std::vector<int64_t>> sequences)
    : sequences_(std::move(sequences)) {
  for (const auto& s : sequences_) require(!s.empty(), "a banned token sequence is empty");
}

void BannedSequencesProcessor::apply(at::Tensor& scores,
                                     const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    std::vector<int64_t> banned;
    for (const auto& s : sequences_)
      if (completes_sequence(rows[b].tokens, s)) banned.push_back(s.back());
    ban_tokens(scores, static_cast<int64_t>(b), banned);
  }
}

std::unique_ptr<LogitsProcessor> BannedSequencesProcessor::make(const ProcessorContext& context) {
  std::vector<std::vector<int64_t>> kept;
  for (const auto& s : context.banned) {
    for (auto id : s)
      require(id >= 0 && id < context.vocab_size, "banned token id " + std::to_string(id) +
                                                      " is outside the vocabulary (size " +
                                                      std::to_string(context.vocab_size) + ")");
    // As Hugging Face, an entry that is exactly a stop id is dropped: banning it would make
    // the sequence unable to end (suppress_tokens or min_new_tokens do that on purpose).
    const bool stop_alone =
        s.size() == 1 &&
        std::find(context.stop_ids.begin(), context.stop_ids.end(), s[0]) != context.stop_ids.end();
    if (!stop_alone) kept.push_back(s);
  }
  if (kept.empty()) return nullptr;
  return std::make_unique<BannedSequencesProcessor>(std::move(kept));
}

std::vector<std::vector<int64_t>> BannedSequencesOptions::sequences() const {
  std::vector<std::vector<int64_t>> parsed;
  for (const auto& entry : token_ids) {
    std::vector<int64_t> ids;
    for (const auto& part : split(trim(entry), ' ')) {
      if (part.empty()) continue;
      char* end = nullptr;
      long long id = std::strtoll(part.c_str(), &end, 10);
      if (*end != '\0' || id < 0)
        throw Error("config: generate.banned_token_ids: \"" + entry +
                    "\" must be token ids separated by spaces, e.g. \"464 3290\"");
      ids.push_back(id);
    }
    if (ids.empty()) throw Error("config: generate.banned_token_ids: an entry is empty");
    parsed.push_back(ids);
  }
  return parsed;
}

void BannedSequencesOptions::validate(const GenerateConfig&) const {
  sequences();  // throws on a malformed entry
}

}  // namespace gpt2
