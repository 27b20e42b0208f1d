#include "generate/generate_config.h"

#include "core/error.h"
#include "core/strings.h"
#include "generate/processor_registry.h"
#include "generate/processors/top_k.h"
#include "generate/strategy_registry.h"

namespace gpt2 {

namespace {

// Sampling aliases: "top_p" is sampling with the top_p warper, which must then be on.
struct Alias {
  const char* name;
  const char* processor;  // its name in processor_registry.cpp
  const char* needs;
};

const Alias kAliases[] = {
    {"top_k", "top_k", "generate.top_k > 0"},           {"top_p", "top_p", "generate.top_p < 1"},
    {"typical", "typical_p", "generate.typical_p < 1"}, {"min_p", "min_p", "generate.min_p > 0"},
    {"epsilon", "epsilon", "generate.epsilon > 0"},     {"eta", "eta", "generate.eta > 0"},
    {"top_h", "top_h", "generate.top_h > 0"},
};

// Whether the config turns this registered processor on.
bool enables(const GenerateConfig& config, const ProcessorEntry& entry) {
  return entry.make(ProcessorContext{config}) != nullptr;
}

std::vector<std::string> alias_names() {
  std::vector<std::string> names;
  for (const auto& alias : kAliases) names.push_back(alias.name);
  return names;
}

void fail(const std::string& message) {
  throw Error("config: generate." + message);
}

}  // namespace

std::vector<std::string> GenerateConfig::strategy_names() {
  std::vector<std::string> names;
  for (const auto& entry : strategy_entries()) names.push_back(entry.name);
  for (const auto& alias : alias_names()) names.push_back(alias);
  names.push_back("group_beam");
  return names;
}

const char* GenerateConfig::strategy_help() {
  static const std::string help = [] {
    std::vector<std::string> names;
    for (const auto& entry : strategy_entries()) {
      names.push_back(entry.name);
      if (names.back() == "sample") names.back() += " (alias " + join(alias_names(), ", ") + ")";
      if (names.back() == "beam") names.push_back("group_beam");
    }
    return join(names, ", ");
  }();
  return help.c_str();
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

void GenerateConfig::validate() const {
  for (const auto& alias : kAliases)
    for (const auto& entry : processor_entries())
      if (strategy == alias.name && alias.processor == std::string(entry.name) &&
          !enables(*this, entry))
        fail("strategy " + strategy + " needs " + alias.needs);

  // Warpers reshape a distribution to sample from; a deterministic search would ignore them.
  // The registry says which processors are warpers and whether this config enables each.
  if (!is_sampling()) {
    for (const auto& entry : processor_entries())
      if (entry.warper && enables(*this, entry) &&
          !(search() == "contrastive" && std::string(entry.name) == "top_k"))  // its candidates
        fail(std::string(entry.name) + " only applies to sampling strategies (sample, " +
             join(alias_names(), ", ") + ", stochastic_beam), not " + strategy);
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
    if (processor<TopKOptions>().k < 1)
      fail("strategy contrastive needs top_k >= 1 candidates (e.g. top_k: 4)");
    if (num_return_sequences > 1)
      fail("num_return_sequences > 1 needs a sampling or beam strategy");
  }
  processor_options_.validate(*this);  // each processor checks its own fields
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
