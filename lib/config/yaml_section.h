#pragma once
// For programs whose YAML nests sections (e.g. a list of named decoding settings): fill one
// section from a YAML mapping with the same strict rules as the loader. Apps and experiments
// may use this; library code takes the typed structs.
#include <yaml-cpp/yaml.h>

#include <string>

#include "config/fields.h"

namespace gpt2 {

// `where` names the place for messages, e.g. "sampling.yaml" or "--set".
// `prefix` is prepended to keys in messages, e.g. "settings[2].".
void apply_yaml_mapping(const YAML::Node& mapping, const SectionRef& section,
                        const std::string& where, const std::string& prefix = "");

// Throws Error "<where>:<line>: duplicate key ... (first at line N)" for a key given twice in
// one mapping, at any depth: yaml-cpp keeps both and lookups would silently take the first.
void reject_duplicate_keys(const YAML::Node& node, const std::string& where);

}  // namespace gpt2
