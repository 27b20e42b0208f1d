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
}  // namespace

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
