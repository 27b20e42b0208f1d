// Lists of named variants of a section (gpt2-compare-sampling's settings) through the one
// loader: each entry starts from the caller's defaults, then the base section's layers, then
// its own keys; errors name the file, the line and the entry.
#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

struct Run {
  static constexpr const char* kSection = "run";
  int64_t tokens = 8;
  void visit(FieldVisitor& v) { v.field("tokens", tokens, "", Rule::positive()); }
  void validate() const {}
};

struct VariantDecode {
  static constexpr const char* kSection = "decode";
  int64_t max_new = 1;
  double top_p = 1.0;
  int64_t batch = 1;
  void visit(FieldVisitor& v) {
    v.field("max_new", max_new, "", Rule::positive());
    v.field("top_p", top_p, "", Rule::open_closed(0, 1));
    v.field("batch", batch, "", Rule::positive());
  }
  void validate() const {
    if (batch > 100) throw Error("batch must be <= 100");
  }
};

struct Loaded {
  Run run;
  std::vector<std::pair<std::string, VariantDecode>> variants;
};

Loaded load(const std::string& path, const std::vector<std::string>& overrides = {}) {
  Loaded out;
  VariantList list{"settings", "decode", [&out](const std::string& name) {
                     out.variants.push_back({name, {}});
                     out.variants.back().second.max_new = out.run.tokens;  // caller's default
                     return section_ref(out.variants.back().second);
                   }};
  load_config_with_variants({section_ref(out.run)}, {{path}, overrides}, {list});
  return out;
}

}  // namespace

TEST_CASE("variants layer: caller's default < base section < --set base.* < entry") {
  test::TempDir dir;
  write_file_atomic(dir.file("x.yaml"),
                    "run: {tokens: 5}\n"
                    "decode: {batch: 4}\n"
                    "settings:\n"
                    "  - {name: plain}\n"
                    "  - {name: nucleus, top_p: 0.9, max_new: 7}\n");
  auto loaded = load(dir.file("x.yaml"), {"decode.batch=6"});
  REQUIRE(loaded.variants.size() == 2);
  CHECK(loaded.variants[0].first == "plain");
  CHECK(loaded.variants[0].second.max_new == 5);  // run.tokens, loaded before the variants
  CHECK(loaded.variants[0].second.batch == 6);
  CHECK(loaded.variants[0].second.top_p == 1.0);
  CHECK(loaded.variants[1].first == "nucleus");
  CHECK(loaded.variants[1].second.max_new == 7);
  CHECK(loaded.variants[1].second.top_p == 0.9);
}

TEST_CASE("variant errors name the file, the line and the entry") {
  test::TempDir dir;
  auto error_of = [&](const std::string& text) {
    write_file_atomic(dir.file("x.yaml"), text);
    try {
      load(dir.file("x.yaml"));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string file = dir.file("x.yaml");
  CHECK_THAT(error_of("settings:\n  - {name: a}\n  - {top_p: 0.5}\n"),
             Contains(file + ":3") && Contains("settings[1].name is missing"));
  CHECK_THAT(error_of("settings:\n  - {name: a, top_q: 0.5}\n"),
             Contains(file + ":2") && Contains("unknown key \"settings[0].top_q\"") &&
                 Contains("did you mean \"settings[0].top_p\""));
  CHECK_THAT(error_of("settings:\n  - {name: a, top_p: 2}\n"),
             Contains("settings[0].top_p: value \"2\" is invalid: must be in (0, 1]"));
  CHECK_THAT(error_of("decode: {batch: 500}\nsettings:\n  - {name: big}\n"),
             Contains(file + ":3") && Contains("settings[0] (big): batch must be <= 100"));
  CHECK_THAT(error_of("run: {tokens: 2}\n"), Contains("no \"settings\" list"));
  CHECK_THAT(error_of("settings: {name: a}\n"), Contains("must be a list"));
  CHECK_THAT(error_of("setings: []\n"),
             Contains("unknown section \"setings\"") && Contains("did you mean \"settings\""));
}
