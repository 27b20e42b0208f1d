#pragma once
// The one config loader. Precedence: defaults < YAML files (left to right) < --set overrides.
// YAML is read strictly: an unknown key is an error naming file, line and key (with the
// closest valid key), and a bad value names file, line, key, value and the rule.
#include <functional>
#include <string>
#include <vector>

#include "config/fields.h"

namespace gpt2 {

// A value given for one field by a command-line flag, bound to the field as it is: a text
// field gets the text itself (no YAML quoting or parsing), a list field one element per
// value, a number or switch field its text read as that type and checked by its rule.
struct FieldAssignment {
  std::string key;                  // "section.key"
  std::vector<std::string> values;  // exactly one for a field that is not a list
  std::string origin;               // the flag, for errors: "--top-p"
};

struct ConfigSources {
  std::vector<std::string> files;            // YAML files, applied left to right
  std::vector<std::string> overrides;        // "section.key=value", applied after the files
  std::vector<FieldAssignment> assignments;  // flags, applied last
  // A file layered under `files` that only they can name (train.init_from: a model preset):
  // called once the files, overrides and flags are applied; "" = none. Its values fill the
  // fields none of them gave, so defaults < base_file < files < --set < flags in one pass.
  std::function<std::string()> base_file;
};

// Fills `sections` from `sources`, then checks every field's rule and each section's
// validate(). Top-level YAML keys must name one of `sections`; `ignored_sections` are
// accepted and skipped (sections that belong to another program reading the same file).
void load_config(const std::vector<SectionRef>& sections, const ConfigSources& sources,
                 const std::vector<std::string>& ignored_sections = {});

// A top-level list of named variants of a section, for files that compare settings:
//   generate: {batch_size: 16}     # the base every variant starts from (base_section)
//   settings:                      # key
//     - {name: greedy, strategy: greedy}
//     - {name: top-p 0.9, strategy: top_p, top_p: 0.9}
// Each entry gets a fresh section from add(name) (its defaults are the caller's), then the
// base's layers in precedence order (files' base_section mappings, --set base_section.*,
// flags) and last the entry's own keys; errors name the file, line and "settings[i]".
struct VariantList {
  std::string key;           // "settings"
  std::string base_section;  // "generate": a top-level key that is not itself a section
  // A new variant named `name`; its SectionRef need only stay valid until the next call.
  std::function<SectionRef(const std::string& name)> add;
};

// load_config, then the variant lists (each must have at least one entry).
void load_config_with_variants(const std::vector<SectionRef>& sections,
                               const ConfigSources& sources,
                               const std::vector<VariantList>& variants,
                               const std::vector<std::string>& ignored_sections = {});

// A top-level mapping of key paths to lists of values, for files that sweep the settings of
// another program (gpt2-ablate's sweep file):
//   axes:
//     model.n_layer: [2, 4]
//     train.adapter.r: [4, 16]
// Each path must name a field of `targets` (that program's sections: scratch copies, each value
// is applied to them to check it) and each value must pass the field's rule; errors name the
// file, the line and "axes.<path>". An axis given again in a later file replaces the earlier.
struct Axis {
  std::string key;                  // section.key, e.g. model.n_layer
  std::vector<std::string> values;  // as written, e.g. "2", "3e-4"; a list value as "[a, b]"
};

struct AxisMapping {
  std::string key;                  // "axes"
  std::vector<SectionRef> targets;  // the swept program's sections
};

// load_config, then the axes mapping of the files (none given = no axes).
std::vector<Axis> load_config_with_axes(const std::vector<SectionRef>& sections,
                                        const ConfigSources& sources, const AxisMapping& axes);

// Applies one YAML file to the sections (no final validation); exposed for layering tools.
void apply_config_file(const std::vector<SectionRef>& sections, const std::string& path,
                       const std::vector<std::string>& ignored_sections = {});

// Applies one "section.key=value" override (value is parsed as YAML: 3, 1e-3, [2, 4], text).
void apply_override(const std::vector<SectionRef>& sections, const std::string& assignment);

// Applies one flag's values to its field.
void apply_assignment(const std::vector<SectionRef>& sections, const FieldAssignment& assignment);

// Checks each field against its rule and runs validate(); throws Error on the first failure.
void validate_config(const std::vector<SectionRef>& sections);

// The merged configuration as YAML, each field commented with its help.
std::string dump_config(const std::vector<SectionRef>& sections);

}  // namespace gpt2
