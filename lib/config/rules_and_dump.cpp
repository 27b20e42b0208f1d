// The config's other two passes over declared fields: checking every value (defaults included)
// against its rule, and writing the sections back as YAML with each field's help (--dump-config).
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <sstream>

#include "config/loader.h"
#include "core/error.h"

namespace gpt2 {
namespace {

// Checks current values (defaults included) against their rules.
class RuleChecker : public FieldVisitor {
 public:
  explicit RuleChecker(std::string section) : section_(std::move(section)) {}
  void field(const char*, bool&, const char*) override {}
  void field(const char* key, int64_t& value, const char*, const Rule& rule) override {
    check(key, rule.accepts(static_cast<double>(value)), std::to_string(value), rule);
  }
  void field(const char* key, double& value, const char*, const Rule& rule) override {
    std::ostringstream text;
    text << value;
    check(key, rule.accepts(value), text.str(), rule);
  }
  void field(const char* key, std::string& value, const char*, const Rule& rule) override {
    check(key, rule.accepts(value), value, rule);
  }
  void field(const char* key, std::vector<std::string>& value, const char*,
             const Rule& rule) override {
    for (const auto& item : value) check(key, rule.accepts(item), item, rule);
  }
  void field(const char* key, std::vector<int64_t>& value, const char*, const Rule& rule) override {
    for (auto item : value)
      check(key, rule.accepts(static_cast<double>(item)), std::to_string(item), rule);
  }
  void field(const char* key, std::vector<double>& value, const char*, const Rule& rule) override {
    for (auto item : value) check(key, rule.accepts(item), std::to_string(item), rule);
  }

 private:
  void check(const char* key, bool ok, const std::string& value, const Rule& rule) const {
    if (!ok)
      throw Error("config: " + section_ + "." + key + ": value \"" + value +
                  "\" is invalid: " + rule.text);
  }
  std::string section_;
};

// Emits YAML with each field's help as a comment.
class YamlDumper : public FieldVisitor {
 public:
  explicit YamlDumper(YAML::Emitter& out) : out_(out) {}
  void field(const char* key, bool& value, const char* help) override { emit(key, value, help); }
  void field(const char* key, int64_t& value, const char* help, const Rule&) override {
    emit(key, value, help);
  }
  void field(const char* key, double& value, const char* help, const Rule&) override {
    // The shortest text that reads back as the same double: 0.1, not 0.10000000000000001.
    std::string s;
    for (int precision = 6; precision <= 17; ++precision) {
      std::ostringstream text;
      text.precision(precision);
      text << value;
      s = text.str();
      if (std::strtod(s.c_str(), nullptr) == value) break;
    }
    if (s.find_first_of(".eE") == std::string::npos && s.find("inf") == std::string::npos)
      s += ".0";
    emit(key, YAML::Node(s), help);
  }
  void field(const char* key, std::string& value, const char* help, const Rule&) override {
    emit(key, value, help);
  }
  void field(const char* key, std::vector<std::string>& value, const char* help,
             const Rule&) override {
    emit_list(key, value, help);
  }
  void field(const char* key, std::vector<int64_t>& value, const char* help, const Rule&) override {
    emit_list(key, value, help);
  }
  void field(const char* key, std::vector<double>& value, const char* help, const Rule&) override {
    emit_list(key, value, help);
  }
  void visit_nested(const char* key, const std::function<void(FieldVisitor&)>& visit) override {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    visit(*this);
    out_ << YAML::EndMap;
  }

 private:
  template <class T>
  void emit(const char* key, const T& value, const char* help) {
    out_ << YAML::Key << key << YAML::Value << value << YAML::Comment(help);
  }
  template <class T>
  void emit_list(const char* key, const std::vector<T>& value, const char* help) {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& item : value) out_ << item;
    out_ << YAML::EndSeq << YAML::Comment(help);
  }
  YAML::Emitter& out_;
};

}  // namespace

void validate_config(const std::vector<SectionRef>& sections) {
  for (const auto& section : sections) {
    RuleChecker checker(section.name);
    section.visit(checker);
    if (section.validate) section.validate();
  }
}

std::string dump_config(const std::vector<SectionRef>& sections) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& section : sections) {
    out << YAML::Key << section.name << YAML::Value << YAML::BeginMap;
    YamlDumper dumper(out);
    section.visit(dumper);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace gpt2
