// The config loader: defaults < YAML files < --set; strict keys and values with file, line,
// key, value and rule in every message.
#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

struct SampleSection {
  static constexpr const char* kSection = "sample";
  int64_t n_layer = 2;
  double top_p = 1.0;
  bool greedy = false;
  std::string device = "cpu";
  std::vector<int64_t> stop_ids = {1};
  void visit(FieldVisitor& v) {
    v.field("n_layer", n_layer, "blocks", Rule::positive());
    v.field("top_p", top_p, "nucleus mass", Rule::open_closed(0, 1));
    v.field("greedy", greedy, "greedy decoding");
    v.field("device", device, "device", Rule::one_of({"cpu", "cuda"}));
    v.field("stop_ids", stop_ids, "stop ids", Rule::non_negative());
  }
  void validate() const { require(!(greedy && top_p < 1), "sample: greedy excludes top_p < 1"); }
};

struct Fixture {
  test::TempDir tmp;
  SampleSection sample;
  std::vector<SectionRef> sections{section_ref(sample)};
  std::string write(const std::string& name, const std::string& yaml) {
    write_file_atomic(tmp.file(name), yaml);
    return tmp.file(name);
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "defaults, then files left to right, then --set") {
  load_config(sections, {});
  CHECK(sample.n_layer == 2);
  auto a = write("a.yaml", "sample:\n  n_layer: 4\n  top_p: 0.5\n");
  auto b = write("b.yaml", "sample:\n  top_p: 0.9\n  stop_ids: [3, 4]\n");
  load_config(sections, {{a, b}, {"sample.n_layer=6", "sample.device=cuda"}});
  CHECK(sample.n_layer == 6);
  CHECK(sample.top_p == Approx(0.9));
  CHECK(sample.device == "cuda");
  CHECK(sample.stop_ids == std::vector<int64_t>{3, 4});
}

TEST_CASE_METHOD(Fixture, "unknown keys name the file, the line and the closest key") {
  auto path = write("bad.yaml", "sample:\n  n_layer: 4\n  n_layers: 5\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains(path + ":3: unknown key \"sample.n_layers\" (did you mean "
                                      "\"sample.n_layer\"?)"));
  auto section = write("section.yaml", "\nsampel:\n  n_layer: 4\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{section}, {}}),
                      Contains(section + ":2: unknown section \"sampel\" (did you mean "
                                         "\"sample\"?)"));
}

TEST_CASE_METHOD(Fixture, "bad values name file, line, key, value and rule") {
  auto path = write("bad.yaml", "sample:\n  top_p: 1.5\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains(path + ":2: sample.top_p: value \"1.5\" is invalid: must be in "
                                      "(0, 1]"));
  path = write("int.yaml", "sample:\n  n_layer: four\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains("sample.n_layer: value \"four\" is invalid: must be an integer"));
  path = write("enum.yaml", "sample:\n  device: tpu\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains("value \"tpu\" is invalid: must be one of: cpu, cuda"));
  path = write("bool.yaml", "sample:\n  greedy: maybe\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}), Contains("must be true or false"));
  path = write("list.yaml", "sample:\n  stop_ids: [1, -2]\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains("sample.stop_ids: value \"-2\" is invalid: must be >= 0"));
  path = write("syntax.yaml", "sample:\n  n_layer: [1\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}), Contains("not valid YAML"));
}

TEST_CASE_METHOD(Fixture, "bad --set overrides and cross-field validation") {
  REQUIRE_THROWS_WITH(load_config(sections, {{}, {"sample.top_p=0"}}),
                      Contains("--set: sample.top_p: value \"0\" is invalid: must be in (0, 1]"));
  REQUIRE_THROWS_WITH(load_config(sections, {{}, {"n_layer=3"}}),
                      Contains("expected section.key=value"));
  REQUIRE_THROWS_WITH(load_config(sections, {{}, {"sample.nlayer=3"}}),
                      Contains("did you mean \"sample.n_layer\""));
  REQUIRE_THROWS_WITH(load_config(sections, {{}, {"sample.greedy=true", "sample.top_p=0.5"}}),
                      Contains("greedy excludes top_p < 1"));
}

TEST_CASE_METHOD(Fixture, "ignored sections are skipped and the dump reloads to the same values") {
  auto path = write("shared.yaml", "sample:\n  n_layer: 3\ntrain:\n  lr: 0.1\n");
  load_config(sections, {{path}, {"sample.stop_ids=[7, 8]", "train.lr=0.5"}}, {"train"});
  auto dumped = write("dump.yaml", dump_config(sections));
  SampleSection reloaded;
  load_config({section_ref(reloaded)}, {{dumped}, {}});
  CHECK(reloaded.n_layer == 3);
  CHECK(reloaded.stop_ids == std::vector<int64_t>{7, 8});
  CHECK(reloaded.top_p == sample.top_p);
  CHECK_THAT(read_file(dumped), Contains("# nucleus mass"));
  // Doubles are written in their shortest exact form.
  sample.top_p = 0.1;
  CHECK_THAT(dump_config(sections), Contains("top_p: 0.1 "));
}

TEST_CASE_METHOD(Fixture, "a key given twice is an error naming both lines, at any depth") {
  auto path = write("twice.yaml", "sample:\n  n_layer: 4\n  top_p: 0.5\n  n_layer: 8\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{path}, {}}),
                      Contains(path + ":4: duplicate key \"n_layer\" (first given at line 2)"));
  auto sections_twice = write("sections.yaml", "sample: {n_layer: 4}\nsample: {n_layer: 8}\n");
  REQUIRE_THROWS_WITH(load_config(sections, {{sections_twice}, {}}),
                      Contains(sections_twice + ":2: duplicate key \"sample\""));
  CHECK(sample.n_layer == 2);  // nothing applied
}

TEST_CASE_METHOD(Fixture, "a --config naming a folder is refused, not read as an empty file") {
  REQUIRE_THROWS_WITH(load_config(sections, {{tmp.path()}, {}}),
                      Contains(tmp.path() + " is a folder, not a config file"));
}
