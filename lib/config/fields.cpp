#include "config/fields.h"

#include <algorithm>
#include <sstream>

#include "core/strings.h"

namespace gpt2 {

namespace {
std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// Forwards a nested section's fields to the outer visitor as "key.field".
class PrefixedFields : public FieldVisitor {
 public:
  PrefixedFields(FieldVisitor& outer, std::string prefix)
      : outer_(outer), prefix_(std::move(prefix)) {}
  void field(const char* key, bool& value, const char* help) override {
    outer_.field(full(key).c_str(), value, help);
  }
  void field(const char* key, int64_t& value, const char* help, const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void field(const char* key, double& value, const char* help, const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void field(const char* key, std::string& value, const char* help, const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void field(const char* key, std::vector<std::string>& value, const char* help,
             const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void field(const char* key, std::vector<int64_t>& value, const char* help,
             const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void field(const char* key, std::vector<double>& value, const char* help,
             const Rule& rule) override {
    outer_.field(full(key).c_str(), value, help, rule);
  }
  void visit_nested(const char* key, const std::function<void(FieldVisitor&)>& visit) override {
    outer_.visit_nested(full(key).c_str(), visit);
  }

 private:
  std::string full(const char* key) const { return prefix_ + key; }
  FieldVisitor& outer_;
  std::string prefix_;
};

}  // namespace

void FieldVisitor::visit_nested(const char* key, const std::function<void(FieldVisitor&)>& visit) {
  PrefixedFields prefixed(*this, std::string(key) + ".");
  visit(prefixed);
}

bool Rule::accepts(const std::string& value) const {
  return choices.empty() || std::find(choices.begin(), choices.end(), value) != choices.end();
}

Rule Rule::at_least(double lo) {
  return {"must be >= " + number_text(lo), [lo](double x) { return x >= lo; }, {}};
}

Rule Rule::closed(double lo, double hi) {
  return {"must be in [" + number_text(lo) + ", " + number_text(hi) + "]",
          [lo, hi](double x) { return x >= lo && x <= hi; },
          {}};
}

Rule Rule::open_closed(double lo, double hi) {
  return {"must be in (" + number_text(lo) + ", " + number_text(hi) + "]",
          [lo, hi](double x) { return x > lo && x <= hi; },
          {}};
}

Rule Rule::closed_open(double lo, double hi) {
  return {"must be in [" + number_text(lo) + ", " + number_text(hi) + ")",
          [lo, hi](double x) { return x >= lo && x < hi; },
          {}};
}

Rule Rule::one_of(std::vector<std::string> choices) {
  Rule rule;
  rule.text = "must be one of: " + join(choices, ", ");
  rule.choices = std::move(choices);
  return rule;
}

}  // namespace gpt2
