#pragma once
// Typed configuration: each section is a plain struct whose fields are declared once, in its
// visit() method, with the key, the default (the member initialiser), a one-line help and a
// rule. Loaders, dumpers and --set overrides are visitors; lib/ code only sees the structs.
//
//   struct SampleConfig {
//     static constexpr const char* kSection = "sample";
//     double top_p = 1.0;
//     void visit(FieldVisitor& v) {
//       v.field("top_p", top_p, "nucleus mass kept", Rule::open_closed(0, 1));
//     }
//     void validate() const {}  // cross-field checks; throw gpt2::Error
//   };
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace gpt2 {

// A validation rule for one field, with the text shown when it fails ("must be in (0, 1]").
struct Rule {
  std::string text;
  std::function<bool(double)> number_ok;  // for numeric fields and list elements
  std::vector<std::string> choices;       // for string fields; empty = any string

  bool accepts(double value) const { return !number_ok || number_ok(value); }
  bool accepts(const std::string& value) const;

  static Rule any() { return {}; }
  static Rule positive() {
    return {"must be > 0", [](double x) { return x > 0; }, {}};
  }
  static Rule non_negative() {
    return {"must be >= 0", [](double x) { return x >= 0; }, {}};
  }
  static Rule at_least(double lo);
  static Rule closed(double lo, double hi);       // [lo, hi]
  static Rule open_closed(double lo, double hi);  // (lo, hi]
  static Rule closed_open(double lo, double hi);  // [lo, hi)
  static Rule one_of(std::vector<std::string> choices);
};

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(const char* key, bool& value, const char* help) = 0;
  virtual void field(const char* key, int64_t& value, const char* help, const Rule& rule = {}) = 0;
  virtual void field(const char* key, double& value, const char* help, const Rule& rule = {}) = 0;
  virtual void field(const char* key, std::string& value, const char* help,
                     const Rule& rule = {}) = 0;
  virtual void field(const char* key, std::vector<std::string>& value, const char* help,
                     const Rule& rule = {}) = 0;
  virtual void field(const char* key, std::vector<int64_t>& value, const char* help,
                     const Rule& rule = {}) = 0;
  virtual void field(const char* key, std::vector<double>& value, const char* help,
                     const Rule& rule = {}) = 0;

  // A mapping of fields nested in a section (train.adapter: {r: 8}): a struct with its own
  // visit(). YAML files, dumps and --set section.key.field=value see it nested; visitors that
  // do not override visit_nested see its fields as "key.field" (rules, JSON, flags).
  template <class Nested>
  void nested(const char* key, Nested& section) {
    visit_nested(key, [&section](FieldVisitor& v) { section.visit(v); });
  }
  virtual void visit_nested(const char* key, const std::function<void(FieldVisitor&)>& visit);
};

// A section seen through type erasure, so loaders need not be templates.
struct SectionRef {
  std::string name;
  std::function<void(FieldVisitor&)> visit;
  std::function<void()> validate;
};

template <class Section>
SectionRef section_ref(Section& section, std::string name = Section::kSection) {
  return {std::move(name), [&section](FieldVisitor& v) { section.visit(v); },
          [&section] { section.validate(); }};
}

}  // namespace gpt2
