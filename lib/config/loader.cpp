#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "config/yaml_section.h"
#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"

namespace gpt2 {
namespace {

std::string location(const std::string& where, const YAML::Node& node) {
  // Overrides from the command line have no file line worth naming.
  if (node.Mark().is_null() || where == "--set") return where;
  return where + ":" + std::to_string(node.Mark().line + 1);
}

std::string scalar_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  std::ostringstream out;
  out << YAML::Dump(node);
  return out.str();
}

// The fields the sources gave ("model.n_layer"), so that a base file applied after them
// fills only the others.
struct Layering {
  std::set<std::string> given;
  bool under = false;  // applying the base file: skip given fields instead of recording them
};

// Parses scalars strictly and reports errors with file, line, key, value and rule.
class YamlApplier : public FieldVisitor {
 public:
  YamlApplier(const YAML::Node& mapping, std::string where, std::string prefix,
              Layering* layering = nullptr)
      : mapping_(mapping),
        where_(std::move(where)),
        prefix_(std::move(prefix)),
        layering_(layering) {}
  // A key of the mapping that is not a field but is not unknown either (a variant's name).
  void allow(const char* key) { known_.insert(key); }

  void field(const char* key, bool& value, const char* /*help*/) override {
    YAML::Node node = take(key);
    if (!node) return;
    std::string text = scalar_of(node, key, "a boolean (true or false)");
    if (text == "true" || text == "True" || text == "yes" || text == "on")
      value = true;
    else if (text == "false" || text == "False" || text == "no" || text == "off")
      value = false;
    else
      fail(node, key, text, "must be true or false");
  }
  void field(const char* key, int64_t& value, const char*, const Rule& rule) override {
    YAML::Node node = take(key);
    if (node) value = parse_int(node, key, rule);
  }
  void field(const char* key, double& value, const char*, const Rule& rule) override {
    YAML::Node node = take(key);
    if (node) value = parse_double(node, key, rule);
  }
  void field(const char* key, std::string& value, const char*, const Rule& rule) override {
    YAML::Node node = take(key);
    if (!node) return;
    std::string text = node.IsNull() ? "" : scalar_of(node, key, "a string");
    if (!rule.accepts(text)) fail(node, key, text, rule.text);
    value = text;
  }
  void field(const char* key, std::vector<std::string>& value, const char*,
             const Rule& rule) override {
    YAML::Node node = take(key);
    if (!node) return;
    value.clear();
    for (const auto& item : sequence_of(node, key)) {
      std::string text = scalar_of(item, key, "a list of strings");
      if (!rule.accepts(text)) fail(item, key, text, rule.text);
      value.push_back(text);
    }
  }
  void field(const char* key, std::vector<int64_t>& value, const char*, const Rule& rule) override {
    YAML::Node node = take(key);
    if (!node) return;
    value.clear();
    for (const auto& item : sequence_of(node, key)) value.push_back(parse_int(item, key, rule));
  }
  void field(const char* key, std::vector<double>& value, const char*, const Rule& rule) override {
    YAML::Node node = take(key);
    if (!node) return;
    value.clear();
    for (const auto& item : sequence_of(node, key)) value.push_back(parse_double(item, key, rule));
  }

  void visit_nested(const char* key, const std::function<void(FieldVisitor&)>& visit) override {
    YAML::Node node = take(key, /*leaf=*/false);
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) fail(node, key, scalar_text(node), "must be a mapping, e.g. {r: 8}");
    YamlApplier inner(node, where_, prefix_ + key + ".", layering_);
    visit(inner);
    inner.reject_unknown_keys();
  }

  // After visiting: every key in the mapping must have been a field.
  void reject_unknown_keys() const {
    for (const auto& entry : mapping_) {
      std::string key = entry.first.as<std::string>();
      if (known_.count(key)) continue;
      std::string message =
          location(where_, entry.first) + ": unknown key \"" + prefix_ + key + "\"";
      std::string suggestion = closest_match(key, {known_.begin(), known_.end()});
      if (!suggestion.empty()) message += " (did you mean \"" + prefix_ + suggestion + "\"?)";
      message += "; valid keys: " + join({known_.begin(), known_.end()}, ", ");
      throw Error(message);
    }
  }

 private:
  YAML::Node take(const char* key, bool leaf = true) {
    known_.insert(key);
    YAML::Node node = mapping_[key];
    if (!node.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    if (layering_ && leaf) {
      const std::string path = prefix_ + key;
      if (layering_->under && layering_->given.count(path))
        return YAML::Node(YAML::NodeType::Undefined);
      if (!layering_->under) layering_->given.insert(path);
    }
    return node;
  }

  [[noreturn]] void fail(const YAML::Node& node, const char* key, const std::string& value,
                         const std::string& rule) const {
    throw Error(location(where_, node) + ": " + prefix_ + key + ": value \"" + value +
                "\" is invalid: " + rule);
  }

  std::string scalar_of(const YAML::Node& node, const char* key, const std::string& what) const {
    if (!node.IsScalar()) fail(node, key, scalar_text(node), "must be " + what);
    return node.Scalar();
  }

  std::vector<YAML::Node> sequence_of(const YAML::Node& node, const char* key) const {
    if (!node.IsSequence()) fail(node, key, scalar_text(node), "must be a list, e.g. [1, 2]");
    return {node.begin(), node.end()};
  }

  int64_t parse_int(const YAML::Node& node, const char* key, const Rule& rule) const {
    std::string text = scalar_of(node, key, "an integer");
    errno = 0;
    char* end = nullptr;
    long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE) {
      // Accept integral floats written as 1e6 or 2000.0.
      double as_double = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || std::floor(as_double) != as_double ||
          std::fabs(as_double) > 9.0e18)
        fail(node, key, text, "must be an integer");
      parsed = static_cast<long long>(as_double);
    }
    if (!rule.accepts(static_cast<double>(parsed))) fail(node, key, text, rule.text);
    return parsed;
  }

  double parse_double(const YAML::Node& node, const char* key, const Rule& rule) const {
    std::string text = scalar_of(node, key, "a number");
    char* end = nullptr;
    double parsed = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(parsed))
      fail(node, key, text, "must be a finite number");
    if (!rule.accepts(parsed)) fail(node, key, text, rule.text);
    return parsed;
  }

  const YAML::Node& mapping_;
  std::string where_, prefix_;
  Layering* layering_;
  std::set<std::string> known_;
};

// Whether a section's field is a list (and so takes a sequence), for binding flag values.
class ListFieldFinder : public FieldVisitor {
 public:
  explicit ListFieldFinder(std::string key) : key_(std::move(key)) {}
  void field(const char* key, bool&, const char*) override { see(key, false); }
  void field(const char* key, int64_t&, const char*, const Rule&) override { see(key, false); }
  void field(const char* key, double&, const char*, const Rule&) override { see(key, false); }
  void field(const char* key, std::string&, const char*, const Rule&) override { see(key, false); }
  void field(const char* key, std::vector<std::string>&, const char*, const Rule&) override {
    see(key, true);
  }
  void field(const char* key, std::vector<int64_t>&, const char*, const Rule&) override {
    see(key, true);
  }
  void field(const char* key, std::vector<double>&, const char*, const Rule&) override {
    see(key, true);
  }
  bool found = false, list = false;
  std::vector<std::string> keys;  // every field's key, for a did-you-mean

 private:
  void see(const char* key, bool is_list) {
    keys.push_back(key);
    if (key_ != key) return;
    found = true;
    list = is_list;
  }
  std::string key_;
};

const SectionRef* find_section(const std::vector<SectionRef>& sections, const std::string& name) {
  for (const auto& section : sections)
    if (section.name == name) return &section;
  return nullptr;
}

// {a: {b: value}} for the key "a.b": a nested section's field as a file would give it.
YAML::Node nested_mapping(const std::string& key, const YAML::Node& value) {
  YAML::Node mapping;
  const size_t dot = key.find('.');
  if (dot == std::string::npos)
    mapping[key] = value;
  else
    mapping[key.substr(0, dot)] = nested_mapping(key.substr(dot + 1), value);
  return mapping;
}

std::vector<std::string> section_names(const std::vector<SectionRef>& sections) {
  std::vector<std::string> names;
  for (const auto& section : sections) names.push_back(section.name);
  return names;
}

}  // namespace

void reject_duplicate_keys(const YAML::Node& node, const std::string& where) {
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(item, where);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    const int line = entry.first.Mark().line + 1;
    if (!key.empty()) {
      auto [it, fresh] = first_line.emplace(key, line);
      if (!fresh)
        throw Error(where + ":" + std::to_string(line) + ": duplicate key \"" + key +
                    "\" (first given at line " + std::to_string(it->second) +
                    "); keep only one of them");
    }
    reject_duplicate_keys(entry.second, where);
  }
}

namespace {

void apply_mapping(const YAML::Node& mapping, const SectionRef& section, const std::string& where,
                   const std::string& prefix, Layering* layering) {
  if (mapping.IsNull()) return;
  if (!mapping.IsMap())
    throw Error(location(where, mapping) + ": " + prefix +
                " must be a mapping of keys to values, e.g. \"n_layer: 4\"");
  YamlApplier applier(mapping, where, prefix, layering);
  section.visit(applier);
  applier.reject_unknown_keys();
}

}  // namespace

void apply_yaml_mapping(const YAML::Node& mapping, const SectionRef& section,
                        const std::string& where, const std::string& prefix) {
  apply_mapping(mapping, section, where, prefix, nullptr);
}

namespace {

// What a file or the command line gives the variant lists, kept to be replayed per entry.
struct VariantLayers {
  std::vector<std::pair<std::string, YAML::Node>> lists;  // (file, the key's sequence)
  std::vector<std::pair<std::string, YAML::Node>> base;   // (file, base_section's mapping)
  std::vector<std::string> overrides;                     // --set base_section.*
  std::vector<FieldAssignment> assignments;               // flags for base_section
};

YAML::Node read_yaml_file(const std::string& path) {
  require(!is_directory(path), path + " is a folder, not a config file; give a YAML file (e.g. " +
                                   "configs/train/shakespeare_char.yaml)");
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  reject_duplicate_keys(root, path);
  return root;
}

// What the sources give besides the sections, and how they are layered.
struct FileExtras {
  const std::vector<VariantList>* variants = nullptr;
  std::vector<VariantLayers>* layers = nullptr;  // one per variant list
  const AxisMapping* axes = nullptr;
  std::vector<std::pair<std::string, YAML::Node>>* axes_found = nullptr;  // (file, mapping)
  Layering* layering = nullptr;
};

// Applies a file's sections; variant lists' keys and bases and the axes go to `extras`.
void apply_file_root(const std::vector<SectionRef>& sections, const YAML::Node& root,
                     const std::string& path, const std::vector<std::string>& ignored_sections,
                     const FileExtras& extras) {
  if (root.IsNull()) return;
  if (!root.IsMap())
    throw Error(path + ": a config file must be a mapping of sections (e.g. \"model:\")");
  static const std::vector<VariantList> no_variants;
  const std::vector<VariantList>& variants = extras.variants ? *extras.variants : no_variants;
  std::vector<std::string> valid = section_names(sections);
  for (const auto& v : variants) valid.insert(valid.end(), {v.key, v.base_section});
  if (extras.axes) valid.push_back(extras.axes->key);
  valid.insert(valid.end(), ignored_sections.begin(), ignored_sections.end());
  for (const auto& entry : root) {
    std::string name = entry.first.as<std::string>();
    const SectionRef* section = find_section(sections, name);
    if (section) {
      apply_mapping(entry.second, *section, path, name + ".", extras.layering);
      continue;
    }
    if (extras.axes && name == extras.axes->key) {
      extras.axes_found->emplace_back(path, entry.second);
      continue;
    }
    bool taken = false;
    for (size_t i = 0; i < variants.size(); ++i) {
      std::vector<VariantLayers>& layers = *extras.layers;
      if (name == variants[i].key) layers[i].lists.emplace_back(path, entry.second);
      if (name == variants[i].base_section) layers[i].base.emplace_back(path, entry.second);
      taken |= name == variants[i].key || name == variants[i].base_section;
    }
    if (taken ||
        std::find(ignored_sections.begin(), ignored_sections.end(), name) != ignored_sections.end())
      continue;
    std::string message = location(path, entry.first) + ": unknown section \"" + name + "\"";
    std::string suggestion = closest_match(name, valid);
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    throw Error(message + "; valid sections: " + join(valid, ", "));
  }
}

// The index of the variant list whose base is `name` (and no section is), or -1.
int variant_base(const std::vector<SectionRef>& sections, const std::vector<VariantList>& variants,
                 const std::string& name) {
  if (find_section(sections, name)) return -1;
  for (size_t i = 0; i < variants.size(); ++i)
    if (variants[i].base_section == name) return int(i);
  return -1;
}

void load_variants(const VariantList& variant, const VariantLayers& layers) {
  require(!layers.lists.empty(), "the configuration has no \"" + variant.key +
                                     "\" list: add one, e.g. " + variant.key + ": [{name: first}]");
  for (const auto& [path, list] : layers.lists) {
    require(list.IsSequence() && list.size() > 0,
            location(path, list) + ": \"" + variant.key + "\" must be a list of " +
                variant.base_section + " settings, each with a name");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& item = list[i];
      const std::string where = variant.key + "[" + std::to_string(i) + "].";
      require(item.IsMap() && item["name"] && item["name"].IsScalar(),
              location(path, item) + ": " + where + "name is missing: each entry needs a name");
      const std::string name = item["name"].as<std::string>();
      SectionRef section = variant.add(name);
      section.name = variant.base_section;
      for (const auto& [base_path, base] : layers.base)
        apply_yaml_mapping(base, section, base_path, variant.base_section + ".");
      for (const auto& o : layers.overrides) apply_override({section}, o);
      for (const auto& a : layers.assignments) apply_assignment({section}, a);
      YamlApplier applier(item, path, where);  // the item itself: its lines stay known
      applier.allow("name");
      section.visit(applier);
      applier.reject_unknown_keys();
      try {
        validate_config({section});
      } catch (const Error& e) {
        throw Error(location(path, item) + ": " + where.substr(0, where.size() - 1) + " (" + name +
                    "): " + e.what());
      }
    }
  }
}

// Applies one "section.key=value" override.
void apply_override_to(const std::vector<SectionRef>& sections, const std::string& assignment,
                       Layering* layering) {
  size_t equals = assignment.find('=');
  size_t dot = assignment.find('.');
  if (equals == std::string::npos || dot == std::string::npos || dot > equals)
    throw Error("--set " + assignment + ": expected section.key=value, e.g. --set model.n_layer=4");
  std::string name = assignment.substr(0, dot);
  std::string key = assignment.substr(dot + 1, equals - dot - 1);
  std::string value = assignment.substr(equals + 1);
  const SectionRef* section = find_section(sections, name);
  if (!section) {
    std::string message = "--set " + assignment + ": unknown section \"" + name + "\"";
    std::string suggestion = closest_match(name, section_names(sections));
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    throw Error(message);
  }
  YAML::Node mapping;
  try {
    mapping =
        nested_mapping(key, value.empty() ? YAML::Node(YAML::NodeType::Null) : YAML::Load(value));
  } catch (const YAML::Exception& e) {
    throw Error("--set " + assignment + ": value is not valid YAML: " + e.msg);
  }
  apply_mapping(mapping, *section, "--set", name + ".", layering);
}

// Applies one flag's values to its field.
void apply_assignment_to(const std::vector<SectionRef>& sections, const FieldAssignment& assignment,
                         Layering* layering) {
  const size_t dot = assignment.key.find('.');
  const SectionRef* section =
      dot == std::string::npos ? nullptr : find_section(sections, assignment.key.substr(0, dot));
  require(section != nullptr, assignment.origin + ": no section for " + assignment.key);
  const std::string key = assignment.key.substr(dot + 1);
  ListFieldFinder finder(key);
  section->visit(finder);
  if (!finder.found) {
    std::string message = assignment.origin + ": unknown key \"" + key + "\"";
    std::string suggestion = closest_match(key, finder.keys);
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    throw Error(message + "; valid keys: " + join(finder.keys, ", "));
  }
  require(finder.list || assignment.values.size() == 1, assignment.origin + " takes one value");
  // Nodes built from the texts, not parsed from them: a stop string such as "a: b" or "\n"
  // arrives as typed.
  YAML::Node mapping;
  if (finder.list) {
    YAML::Node sequence(YAML::NodeType::Sequence);
    for (const auto& value : assignment.values) sequence.push_back(YAML::Node(value));
    mapping = nested_mapping(key, sequence);
  } else {
    mapping = nested_mapping(key, YAML::Node(assignment.values.front()));
  }
  apply_mapping(mapping, *section, assignment.origin, section->name + ".", layering);
}

// An axis value as `gpt2 train --set` reads it back: a scalar as written, a list in flow style.
std::string axis_value_text(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << value;
  return out.c_str();
}

// The axes of the files, each path and value checked against the targets' fields.
std::vector<Axis> read_axes(const AxisMapping& axes,
                            const std::vector<std::pair<std::string, YAML::Node>>& found) {
  std::vector<std::string> paths;  // every field of the targets, for a did-you-mean
  for (const auto& target : axes.targets) {
    ListFieldFinder all("");
    target.visit(all);
    for (const auto& key : all.keys) paths.push_back(target.name + "." + key);
  }
  std::vector<Axis> out;
  for (const auto& [path, mapping] : found) {
    if (mapping.IsNull()) continue;
    require(mapping.IsMap(), location(path, mapping) + ": " + axes.key +
                                 " must map section.key to a list of values, e.g. " +
                                 "model.n_layer: [2, 4]");
    for (const auto& entry : mapping) {
      const std::string key = entry.first.as<std::string>();
      const std::string where = location(path, entry.first) + ": " + axes.key + "." + key;
      const size_t dot = key.find('.');
      const SectionRef* section =
          dot == std::string::npos ? nullptr : find_section(axes.targets, key.substr(0, dot));
      ListFieldFinder finder(section ? key.substr(dot + 1) : "");
      if (section) section->visit(finder);
      if (!finder.found) {
        std::string message = where + ": unknown key path \"" + key + "\"";
        std::string suggestion = closest_match(key, paths);
        if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
        throw Error(message + "; an axis is section.key (sections: " +
                    join(section_names(axes.targets), ", ") + ")");
      }
      const YAML::Node& values = entry.second;
      require(values.IsSequence() && values.size() > 0,
              location(path, values) + ": " + axes.key + "." + key +
                  ": give a list of at least one value, e.g. [2, 4]");
      Axis axis{key, {}};
      for (const auto& value : values) {
        // Applied to the scratch section: the field's own parsing and rule, at the value's line.
        apply_mapping(nested_mapping(key.substr(dot + 1), value), *section, path,
                      axes.key + "." + section->name + ".", nullptr);
        axis.values.push_back(axis_value_text(value));
      }
      auto same = std::find_if(out.begin(), out.end(), [&](const Axis& a) { return a.key == key; });
      if (same != out.end())
        *same = axis;
      else
        out.push_back(axis);
    }
  }
  return out;
}

// The one loading pass: files, --set, flags, the base file under them, validation, variants and
// axes.
std::vector<Axis> load_all(const std::vector<SectionRef>& sections, const ConfigSources& sources,
                           const std::vector<VariantList>& variants, const AxisMapping* axes,
                           const std::vector<std::string>& ignored_sections) {
  std::vector<VariantLayers> layers(variants.size());
  std::vector<std::pair<std::string, YAML::Node>> axes_found;
  Layering layering;
  FileExtras extras{&variants, &layers, axes, &axes_found, &layering};
  for (const auto& path : sources.files)
    apply_file_root(sections, read_yaml_file(path), path, ignored_sections, extras);
  // An override for a section another program reads (e.g. generate.* given to a command that
  // only loads runtime and model here) is skipped like that section in a file.
  auto skipped = [&](const std::string& name) {
    return !find_section(sections, name) &&
           std::find(ignored_sections.begin(), ignored_sections.end(), name) !=
               ignored_sections.end();
  };
  for (const auto& assignment : sources.overrides) {
    const std::string name = assignment.substr(0, assignment.find('.'));
    if (int v = variant_base(sections, variants, name); v >= 0)
      layers[size_t(v)].overrides.push_back(assignment);
    else if (!skipped(name))
      apply_override_to(sections, assignment, &layering);
  }
  for (const auto& assignment : sources.assignments) {
    const std::string name = assignment.key.substr(0, assignment.key.find('.'));
    if (int v = variant_base(sections, variants, name); v >= 0)
      layers[size_t(v)].assignments.push_back(assignment);
    else if (!skipped(name))
      apply_assignment_to(sections, assignment, &layering);
  }
  if (sources.base_file) {
    const std::string base = sources.base_file();
    if (!base.empty()) {
      layering.under = true;
      FileExtras under{nullptr, nullptr, nullptr, nullptr, &layering};
      apply_file_root(sections, read_yaml_file(base), base, ignored_sections, under);
    }
  }
  validate_config(sections);
  for (size_t i = 0; i < variants.size(); ++i) load_variants(variants[i], layers[i]);
  return axes ? read_axes(*axes, axes_found) : std::vector<Axis>{};
}

}  // namespace

void apply_config_file(const std::vector<SectionRef>& sections, const std::string& path,
                       const std::vector<std::string>& ignored_sections) {
  apply_file_root(sections, read_yaml_file(path), path, ignored_sections, {});
}

void apply_override(const std::vector<SectionRef>& sections, const std::string& assignment) {
  apply_override_to(sections, assignment, nullptr);
}

void apply_assignment(const std::vector<SectionRef>& sections, const FieldAssignment& assignment) {
  apply_assignment_to(sections, assignment, nullptr);
}

void load_config(const std::vector<SectionRef>& sections, const ConfigSources& sources,
                 const std::vector<std::string>& ignored_sections) {
  load_all(sections, sources, {}, nullptr, ignored_sections);
}

void load_config_with_variants(const std::vector<SectionRef>& sections,
                               const ConfigSources& sources,
                               const std::vector<VariantList>& variants,
                               const std::vector<std::string>& ignored_sections) {
  load_all(sections, sources, variants, nullptr, ignored_sections);
}

std::vector<Axis> load_config_with_axes(const std::vector<SectionRef>& sections,
                                        const ConfigSources& sources, const AxisMapping& axes) {
  return load_all(sections, sources, {}, &axes, {});
}

}  // namespace gpt2
