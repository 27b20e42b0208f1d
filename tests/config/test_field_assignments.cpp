// Command-line flags bound to fields (ConfigSources::assignments): texts arrive as typed, lists
// take one element per value, numbers are read and checked by their rule, and flags come last.
#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/error.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

struct Decode {
  static constexpr const char* kSection = "decode";
  double top_p = 1.0;
  std::string name = "greedy";
  std::vector<std::string> stops;
  bool cache = true;
  void visit(FieldVisitor& v) {
    v.field("top_p", top_p, "", Rule::open_closed(0, 1));
    v.field("name", name, "");
    v.field("stops", stops, "");
    v.field("cache", cache, "");
  }
  void validate() const {}
};

}  // namespace

TEST_CASE("flag values are bound to fields without YAML parsing of texts") {
  Decode d;
  ConfigSources sources;
  sources.overrides = {"decode.top_p=0.5", "decode.name=set"};
  sources.assignments = {{"decode.top_p", {"0.9"}, "--top-p"},
                         {"decode.name", {"a: [b]"}, "--name"},
                         {"decode.stops", {"\"q\"", "x, y", "\n"}, "--stop"},
                         {"decode.cache", {"false"}, "--no-cache"}};
  load_config({section_ref(d)}, sources);
  CHECK(d.top_p == 0.9);  // flags after --set
  CHECK(d.name == "a: [b]");
  CHECK(d.stops == std::vector<std::string>({"\"q\"", "x, y", "\n"}));
  CHECK_FALSE(d.cache);
}

TEST_CASE("a bad flag value names the flag, the key and the rule") {
  Decode d;
  std::vector<SectionRef> sections = {section_ref(d)};
  CHECK_THROWS_WITH(apply_assignment(sections, {"decode.top_p", {"1.5"}, "--top-p"}),
                    Contains("--top-p: decode.top_p: value \"1.5\" is invalid: must be in (0, 1]"));
  CHECK_THROWS_WITH(apply_assignment(sections, {"decode.top_p", {"x"}, "--top-p"}),
                    Contains("--top-p"));
  CHECK_THROWS_WITH(apply_assignment(sections, {"decode.top_p", {"0.1", "0.2"}, "--top-p"}),
                    Contains("--top-p takes one value"));
  CHECK_THROWS_WITH(apply_assignment(sections, {"decode.nope", {"1"}, "--nope"}),
                    Contains("--nope: unknown key \"nope\"") && Contains("valid keys: top_p"));
  CHECK(d.top_p == 1.0);
}
