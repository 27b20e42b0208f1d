// Sweep files' axes mappings (gpt2-ablate) and base files under the sources (a preset named by
// a field) through the one loader: key paths and values are checked against the swept sections'
// fields and rules, errors name the file and the line.
#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

struct Sweep {
  static constexpr const char* kSection = "sweep";
  int64_t jobs = 1;
  void visit(FieldVisitor& v) { v.field("jobs", jobs, "", Rule::positive()); }
  void validate() const {}
};

struct Inner {
  int64_t r = 8;
  void visit(FieldVisitor& v) { v.field("r", r, "", Rule::positive()); }
};

struct Net {
  static constexpr const char* kSection = "net";
  int64_t layers = 2;
  double lr = 1e-3;
  std::string kind = "a";
  std::vector<std::string> parts = {"x"};
  Inner adapter;
  void visit(FieldVisitor& v) {
    v.field("layers", layers, "", Rule::positive());
    v.field("lr", lr, "", Rule::open_closed(0, 1));
    v.field("kind", kind, "", Rule::one_of({"a", "b"}));
    v.field("parts", parts, "");
    v.nested("adapter", adapter);
  }
  void validate() const {}
};

std::vector<Axis> load(const std::string& path, Sweep& sweep) {
  Net scratch;
  return load_config_with_axes({section_ref(sweep)}, {{path}}, {"axes", {section_ref(scratch)}});
}

}  // namespace

TEST_CASE("axes map key paths to their values as written, in file order") {
  test::TempDir dir;
  write_file_atomic(dir.file("s.yaml"),
                    "sweep: {jobs: 3}\n"
                    "axes:\n"
                    "  net.lr: [3.0e-4, 1e-3]\n"
                    "  net.adapter.r: [4, 16]\n"
                    "  net.kind: [b]\n"
                    "  net.parts: [[x, y], []]\n");
  Sweep sweep;
  auto axes = load(dir.file("s.yaml"), sweep);
  CHECK(sweep.jobs == 3);
  REQUIRE(axes.size() == 4);
  CHECK(axes[0].key == "net.lr");
  CHECK(axes[0].values == std::vector<std::string>{"3.0e-4", "1e-3"});
  CHECK(axes[1].key == "net.adapter.r");
  CHECK(axes[1].values == std::vector<std::string>{"4", "16"});
  CHECK(axes[2].values == std::vector<std::string>{"b"});
  CHECK(axes[3].values == std::vector<std::string>{"[x, y]", "[]"});

  write_file_atomic(dir.file("none.yaml"), "sweep: {jobs: 2}\n");
  CHECK(load(dir.file("none.yaml"), sweep).empty());
}

TEST_CASE("axis errors name the file, the line, the key path and the rule") {
  test::TempDir dir;
  const std::string path = dir.file("s.yaml");
  auto error_of = [&](const std::string& text) {
    write_file_atomic(path, text);
    Sweep sweep;
    try {
      load(path, sweep);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Unknown key paths: a field that does not exist, a section that is not swept, no section.
  CHECK_THAT(error_of("sweep: {jobs: 1}\naxes:\n  net.layer: [2]\n"),
             Contains(path + ":3: axes.net.layer: unknown key path \"net.layer\"") &&
                 Contains("did you mean \"net.layers\"?"));
  CHECK_THAT(error_of("axes:\n  net.lr: [0.1]\n  nett.lr: [0.1]\n"),
             Contains(path + ":3: axes.nett.lr: unknown key path") &&
                 Contains("did you mean \"net.lr\"?") && Contains("sections: net"));
  CHECK_THAT(error_of("axes:\n  layers: [2]\n"), Contains(path + ":2: axes.layers: unknown key"));
  CHECK_THAT(error_of("axes:\n  net.adapter.q: [2]\n"),
             Contains(path + ":2: axes.net.adapter.q: unknown key path") &&
                 Contains("did you mean \"net.adapter.r\"?"));
  // Empty lists and values that are not lists.
  CHECK_THAT(error_of("axes:\n  net.layers:\n    []\n"),
             Contains(path + ":3: axes.net.layers: give a list of at least one value"));
  CHECK_THAT(error_of("axes:\n  net.layers: 4\n"),
             Contains(path + ":2: axes.net.layers: give a list of at least one value"));
  CHECK_THAT(error_of("axes: [net.layers]\n"),
             Contains(path + ":1: axes must map section.key to a list of values"));
  // Values the field's rule refuses, at the value's own line.
  CHECK_THAT(error_of("axes:\n  net.layers:\n    - 2\n    - 0\n"),
             Contains(path + ":4: axes.net.layers: value \"0\" is invalid: must be > 0"));
  CHECK_THAT(error_of("axes:\n  net.lr: [0.5, 1.5]\n"),
             Contains(path + ":2: axes.net.lr: value \"1.5\" is invalid: must be in (0, 1]"));
  CHECK_THAT(error_of("axes:\n  net.kind: [a, c]\n"),
             Contains(path + ":2: axes.net.kind: value \"c\" is invalid"));
  CHECK_THAT(error_of("axes:\n  net.adapter.r: [x]\n"),
             Contains(path + ":2: axes.net.adapter.r: value \"x\" is invalid: must be an integer"));
  CHECK_THAT(error_of("axes:\n  net.parts: [x]\n"),
             Contains(path + ":2: axes.net.parts: value \"x\" is invalid: must be a list"));
  // The same key twice in one mapping, and an unknown top-level section.
  CHECK_THAT(error_of("axes:\n  net.lr: [0.1]\n  net.lr: [0.2]\n"),
             Contains(path + ":3: duplicate key \"net.lr\""));
  CHECK_THAT(error_of("axis:\n  net.lr: [0.1]\n"),
             Contains(path + ":1: unknown section \"axis\" (did you mean \"axes\"?)"));
}

namespace {

struct Model {
  static constexpr const char* kSection = "model";
  int64_t width = 1, depth = 1, heads = 1, context = 1;
  void visit(FieldVisitor& v) {
    v.field("width", width, "", Rule::positive());
    v.field("depth", depth, "", Rule::positive());
    v.field("heads", heads, "", Rule::positive());
    v.field("context", context, "", Rule::positive());
  }
  void validate() const {}
};

struct Source {
  static constexpr const char* kSection = "source";
  std::string preset;
  void visit(FieldVisitor& v) { v.field("preset", preset, ""); }
  void validate() const {}
};

}  // namespace

TEST_CASE("a base file named by the sources fills only what files, --set and flags left") {
  test::TempDir dir;
  write_file_atomic(dir.file("preset.yaml"),
                    "model: {width: 64, depth: 2, heads: 4, context: 16}\n");
  write_file_atomic(dir.file("run.yaml"), "source: {preset: p}\nmodel: {depth: 3, heads: 2}\n");
  Model model;
  Source source;
  std::string asked;
  ConfigSources sources{
      {dir.file("run.yaml")}, {"model.heads=8"}, {{"model.context", {"32"}, "--context"}}, [&] {
        asked = source.preset;  // known only after the files
        return dir.file("preset.yaml");
      }};
  load_config({section_ref(model), section_ref(source)}, sources);
  CHECK(asked == "p");
  CHECK(model.width == 64);    // preset beats the default (1)
  CHECK(model.depth == 3);     // the file beats the preset
  CHECK(model.heads == 8);     // --set beats the file and the preset
  CHECK(model.context == 32);  // a flag beats the preset

  // No base file: only the sources.
  Model plain;
  Source s2;
  load_config({section_ref(plain), section_ref(s2)},
              {{dir.file("run.yaml")}, {}, {}, [] { return std::string(); }});
  CHECK(plain.width == 1);
  CHECK(plain.depth == 3);

  // The base file's values are checked like any file's, naming it.
  write_file_atomic(dir.file("bad.yaml"), "model: {width: 0}\n");
  Model m3;
  Source s3;
  CHECK_THROWS_WITH(
      load_config({section_ref(m3), section_ref(s3)},
                  {{dir.file("run.yaml")}, {}, {}, [&] { return dir.file("bad.yaml"); }}),
      Contains(dir.file("bad.yaml") + ":1: model.width: value \"0\" is invalid"));
}
