#include "generate/processors/sequence_bias.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/error.h"
#include "core/strings.h"
#include "generate/generate_config.h"

namespace gpt2 {

SequenceBiasProcessor::SequenceBiasProcessor(std::vector<Entry> entries)
    : entries_(std::move(entries)) {
  for (const auto& e : entries_) require(!e.ids.empty(), "a sequence_bias entry has no ids");
  std::stable_partition(entries_.begin(), entries_.end(),
                        [](const Entry& e) { return e.ids.size() == 1; });
}

void SequenceBiasProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
  for (size_t b = 0; b < rows.size(); ++b) {
    // Summed in float32 in entry order, as Hugging Face's bias tensor.
    std::map<int64_t, float> bias;
    for (const auto& e : entries_)
      if (completes_sequence(rows[b].tokens, e.ids)) bias[e.ids.back()] += e.bias;
    if (bias.empty()) continue;
    std::vector<int64_t> ids;
    std::vector<float> amounts;
    for (const auto& [id, amount] : bias) {
      ids.push_back(id);
      amounts.push_back(amount);
    }
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    row.index_add_(0, at::tensor(ids, at::kLong).to(scores.device()),
                   at::tensor(amounts, at::kFloat).to(scores.options()));
  }
}

std::unique_ptr<LogitsProcessor> SequenceBiasProcessor::make(const ProcessorContext& context) {
  std::vector<Entry> entries;
  for (const auto& s : context.config.processor<SequenceBiasOptions>().biases()) {
    for (auto id : s.ids)
      require(id < context.vocab_size, "generate.sequence_bias: token id " + std::to_string(id) +
                                           " is outside the vocabulary (size " +
                                           std::to_string(context.vocab_size) + ")");
    entries.push_back({s.ids, static_cast<float>(s.bias)});
  }
  if (entries.empty()) return nullptr;
  return std::make_unique<SequenceBiasProcessor>(std::move(entries));
}

std::vector<SequenceBiasOptions::BiasedSequence> SequenceBiasOptions::biases() const {
  std::vector<BiasedSequence> parsed;
  for (const auto& entry : entries) {
    const std::string example = "\"464 3290 = -2.5\" (token ids, then = and the bias)";
    auto fail = [&](const std::string& why) {
      throw Error("config: generate.sequence_bias: \"" + entry + "\"" + why);
    };
    const auto equals = entry.find('=');
    if (equals == std::string::npos || entry.find('=', equals + 1) != std::string::npos)
      fail(" must be ids = bias, e.g. " + example);
    BiasedSequence biased;
    for (const auto& part : split(trim(entry.substr(0, equals)), ' ')) {
      if (part.empty()) continue;
      char* end = nullptr;
      long long id = std::strtoll(part.c_str(), &end, 10);
      if (*end != '\0' || id < 0) fail(": \"" + part + "\" is not a token id, e.g. " + example);
      biased.ids.push_back(id);
    }
    if (biased.ids.empty()) fail(" has no token ids, e.g. " + example);
    const std::string bias = trim(entry.substr(equals + 1));
    char* end = nullptr;
    biased.bias = std::strtod(bias.c_str(), &end);
    if (bias.empty() || *end != '\0' || !std::isfinite(biased.bias))
      fail(": the bias \"" + bias + "\" is not a finite number, e.g. " + example);
    for (const auto& earlier : parsed)
      if (earlier.ids == biased.ids)
        throw Error("config: generate.sequence_bias: the ids of \"" + entry +
                    "\" appear twice; give each sequence once");
    parsed.push_back(std::move(biased));
  }
  return parsed;
}

void SequenceBiasOptions::validate(const GenerateConfig&) const {
  biases();  // throws on a malformed entry
}

}  // namespace gpt2
