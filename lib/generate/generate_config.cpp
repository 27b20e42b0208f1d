#include "generate/generate_config.h"

#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "core/strings.h"
#include "generate/processor_registry.h"
#include "generate/strategy_registry.h"

namespace gpt2 {

namespace {

// Sampling aliases: "top_p" is sampling with the top_p warper, which must then be on.
struct Alias {
  const char* name;
  bool (*enabled)(const GenerateConfig&);
  const char* needs;
};

const Alias kAliases[] = {
    {"top_k", [](const GenerateConfig& c) { return c.top_k > 0; }, "generate.top_k > 0"},
    {"top_p", [](const GenerateConfig& c) { return c.top_p < 1; }, "generate.top_p < 1"},
    {"typical", [](const GenerateConfig& c) { return c.typical_p < 1; }, "generate.typical_p < 1"},
    {"min_p", [](const GenerateConfig& c) { return c.min_p > 0; }, "generate.min_p > 0"},
    {"epsilon", [](const GenerateConfig& c) { return c.epsilon > 0; }, "generate.epsilon > 0"},
    {"eta", [](const GenerateConfig& c) { return c.eta > 0; }, "generate.eta > 0"},
    {"top_h", [](const GenerateConfig& c) { return c.top_h > 0; }, "generate.top_h > 0"},
};

void fail(const std::string& message) {
  throw Error("config: generate." + message);
}

}  // namespace

std::vector<std::string> GenerateConfig::strategy_names() {
  std::vector<std::string> names;
  for (const auto& entry : strategy_entries()) names.push_back(entry.name);
  for (const auto& alias : kAliases) names.push_back(alias.name);
  names.push_back("group_beam");
  return names;
}

std::string GenerateConfig::search() const {
  for (const auto& alias : kAliases)
    if (strategy == alias.name) return "sample";
  // Diverse (group) beam search is beam search with num_beam_groups > 1.
  if (strategy == "group_beam") return "beam";
  // As in Hugging Face, num_beams > 1 without a strategy (greedy) is beam search.
  if (strategy == "greedy" && num_beams > 1) return "beam";
  return strategy;
}

bool GenerateConfig::is_sampling() const {
  std::string s = search();
  return s == "sample" || s == "stochastic_beam";
}

bool GenerateConfig::is_beam() const {
  std::string s = search();
  return s == "beam" || s == "stochastic_beam";
}

std::vector<std::vector<int64_t>> GenerateConfig::banned_sequences() const {
  std::vector<std::vector<int64_t>> sequences;
  for (const auto& entry : banned_token_ids) {
    std::vector<int64_t> ids;
    for (const auto& part : split(trim(entry), ' ')) {
      if (part.empty()) continue;
      char* end = nullptr;
      long long id = std::strtoll(part.c_str(), &end, 10);
      if (*end != '\0' || id < 0)
        fail("banned_token_ids: \"" + entry +
             "\" must be token ids separated by spaces, e.g. \"464 3290\"");
      ids.push_back(id);
    }
    if (ids.empty()) fail("banned_token_ids: an entry is empty");
    sequences.push_back(ids);
  }
  return sequences;
}

std::vector<GenerateConfig::BiasedSequence> GenerateConfig::sequence_biases() const {
  std::vector<BiasedSequence> biases;
  for (const auto& entry : sequence_bias) {
    const std::string example = "\"464 3290 = -2.5\" (token ids, then = and the bias)";
    const auto equals = entry.find('=');
    if (equals == std::string::npos || entry.find('=', equals + 1) != std::string::npos)
      fail("sequence_bias: \"" + entry + "\" must be ids = bias, e.g. " + example);
    BiasedSequence biased;
    for (const auto& part : split(trim(entry.substr(0, equals)), ' ')) {
      if (part.empty()) continue;
      char* end = nullptr;
      long long id = std::strtoll(part.c_str(), &end, 10);
      if (*end != '\0' || id < 0)
        fail("sequence_bias: \"" + entry + "\": \"" + part + "\" is not a token id, e.g. " +
             example);
      biased.ids.push_back(id);
    }
    if (biased.ids.empty())
      fail("sequence_bias: \"" + entry + "\" has no token ids, e.g. " + example);
    const std::string bias = trim(entry.substr(equals + 1));
    char* end = nullptr;
    biased.bias = std::strtod(bias.c_str(), &end);
    if (bias.empty() || *end != '\0' || !std::isfinite(biased.bias))
      fail("sequence_bias: \"" + entry + "\": the bias \"" + bias +
           "\" is not a finite number, e.g. " + example);
    for (const auto& earlier : biases)
      if (earlier.ids == biased.ids)
        fail("sequence_bias: the ids of \"" + entry + "\" appear twice; give each sequence once");
    biases.push_back(std::move(biased));
  }
  return biases;
}

void GenerateConfig::validate() const {
  for (const auto& alias : kAliases)
    if (strategy == alias.name && !alias.enabled(*this))
      fail("strategy " + strategy + " needs " + alias.needs);

  // Warpers reshape a distribution to sample from; a deterministic search would ignore them.
  // The registry says which processors are warpers and whether this config enables each.
  if (!is_sampling()) {
    const ProcessorContext context{*this};
    for (const auto& entry : processor_entries())
      if (entry.warper && entry.make(context) &&
          !(search() == "contrastive" && std::string(entry.name) == "top_k"))  // its candidates
        fail(std::string(entry.name) +
             " only applies to sampling strategies (sample, top_k, top_p, typical, min_p, "
             "epsilon, eta, stochastic_beam), not " +
             strategy);
  }

  std::string s = search();
  if (s == "greedy" && num_return_sequences > 1)
    fail("num_return_sequences > 1 needs a sampling or beam strategy (greedy gives one answer)");
  if (is_beam()) {
    if (num_return_sequences > num_beams)
      fail("num_return_sequences (" + std::to_string(num_return_sequences) +
           ") must be <= num_beams (" + std::to_string(num_beams) + ")");
  } else if (num_beams != 1) {
    fail("num_beams only applies to beam, group_beam and stochastic_beam, not " + strategy);
  }
  if (strategy == "group_beam") {
    if (num_beam_groups < 2) fail("num_beam_groups must be >= 2 for group_beam");
    if (num_beams % num_beam_groups != 0)
      fail("num_beam_groups (" + std::to_string(num_beam_groups) + ") must divide num_beams (" +
           std::to_string(num_beams) + ")");
  } else {
    if (num_beam_groups != 1) fail("num_beam_groups only applies to group_beam");
    if (diversity_penalty != 0) fail("diversity_penalty only applies to group_beam");
  }
  if (min_new_tokens > max_new_tokens)
    fail("min_new_tokens (" + std::to_string(min_new_tokens) + ") must be <= max_new_tokens (" +
         std::to_string(max_new_tokens) + ")");
  for (const auto& text : stop_strings)
    if (text.empty()) fail("stop_strings: an entry is empty");
  if (is_speculative()) {
    if (s != "greedy" && s != "sample")
      fail(
          "draft_model / prompt_lookup_ngram (speculative decoding) apply to greedy and "
          "sampling strategies, not " +
          strategy);
    if (!draft_model.empty() && prompt_lookup_ngram > 0)
      fail("draft_model and prompt_lookup_ngram are two ways to draft: set one of them");
  }
  if (s == "contrastive") {
    if (top_k < 1) fail("strategy contrastive needs top_k >= 1 candidates (e.g. top_k: 4)");
    if (num_return_sequences > 1)
      fail("num_return_sequences > 1 needs a sampling or beam strategy");
  }
  banned_sequences();  // throws on a malformed entry
  sequence_biases();   // likewise
  if (repetition_penalty == 1.0 &&
      (repetition_penalty_normalize || repetition_penalty_prompt_ignore_length > 0))
    fail(
        "repetition_penalty_normalize and repetition_penalty_prompt_ignore_length only apply "
        "with repetition_penalty != 1");
  if (exponential_decay_start > 0 && exponential_decay_factor == 1.0)
    fail("exponential_decay_start only applies with exponential_decay_factor != 1");
  const auto names = processor_names();
  for (const auto& name : processors) {
    bool known = false;
    for (const auto& n : names) known = known || n == name;
    if (!known) {
      std::string guess = closest_match(name, names);
      fail("processors: unknown processor \"" + name + "\"" +
           (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
           "; known: " + join(names, ", "));
    }
  }
}

}  // namespace gpt2
