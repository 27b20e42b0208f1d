// Reading line files and JSONL for `gpt2 metric`, the registry, and the CLI itself: bad input
// gets a clear error, odd-but-valid input a documented result.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "metrics/bleu.h"
#include "metrics/metric_input.h"
#include "metrics/registry.h"
#include "test_support.h"

using namespace gpt2::metrics;
using Catch::Contains;
using gpt2::test::TempDir;

TEST_CASE("line files: alignment, empty lines and final newline") {
  TempDir dir;
  gpt2::write_file_atomic(dir.file("h.txt"), "a b c\n\nd e\n");
  gpt2::write_file_atomic(dir.file("r1.txt"), "a b c\nx\nd e");  // no final newline
  gpt2::write_file_atomic(dir.file("r2.txt"), "a b\n\nd\n");
  MetricData data = read_line_files(dir.file("h.txt"), {dir.file("r1.txt"), dir.file("r2.txt")});
  REQUIRE(data.hyps.size() == 3);
  CHECK(data.hyps[1].empty());
  CHECK(data.refs[1] == References{"x", ""});
  auto warnings = input_warnings(data);
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Contains("1 empty hypothesis line"));
  CHECK_THAT(warnings[1], Contains("1 empty reference line"));
}

TEST_CASE("line files: ragged files and invalid UTF-8 are errors") {
  TempDir dir;
  gpt2::write_file_atomic(dir.file("h.txt"), "a\nb\nc\n");
  gpt2::write_file_atomic(dir.file("r.txt"), "a\nb\n");
  CHECK_THROWS_WITH(read_line_files(dir.file("h.txt"), {dir.file("r.txt")}),
                    Contains("ragged input") && Contains("has 3 lines") && Contains("has 2"));
  gpt2::write_file_atomic(dir.file("bad.txt"), "fine\nbro\xc3\x28ken\nc\n");
  CHECK_THROWS_WITH(read_line_files(dir.file("h.txt"), {dir.file("bad.txt")}),
                    Contains("bad.txt:2: invalid UTF-8"));
  CHECK_THROWS_WITH(read_lines(dir.file("missing.txt")), Contains("missing.txt"));
}

TEST_CASE("JSONL: ref or refs, null references and malformed lines") {
  TempDir dir;
  gpt2::write_file_atomic(dir.file("ok.jsonl"),
                          "{\"hyp\": \"a b c d\", \"ref\": \"a b c d\"}\n"
                          "\n"
                          "{\"hyp\": \"e f\", \"refs\": [\"e f\", null, \"e g\"]}\n");
  MetricData data = read_jsonl(dir.file("ok.jsonl"), true);
  REQUIRE(data.hyps.size() == 2);
  CHECK(data.refs[1] == References{"e f", "e g"});
  // Different numbers of references per line: BLEU's signature says nrefs:var.
  MetricReport report = find_metric("bleu").run(data, MetricRun{});
  CHECK_THAT(report.summary["signature"].get<std::string>(), Contains("nrefs:var"));

  auto fails = [&](const std::string& body, const std::string& message) {
    gpt2::write_file_atomic(dir.file("bad.jsonl"), "{\"hyp\": \"x\", \"ref\": \"x\"}\n" + body);
    CHECK_THROWS_WITH(read_jsonl(dir.file("bad.jsonl"), true),
                      Contains("bad.jsonl:2: ") && Contains(message));
  };
  fails("{\"ref\": \"x\"}", "\"hyp\"");
  fails("{\"hyp\": \"x\"", "not valid JSON");
  fails("[1, 2]", "expected a JSON object");
  fails("{\"hyp\": \"x\", \"refs\": \"x\"}", "list of strings");
  fails("{\"hyp\": \"x\", \"refs\": [null]}", "no reference");
  fails("{\"hyp\": \"x\", \"ref\": \"x\", \"refs\": [\"x\"]}", "not both");
  // Without references (diversity) lines need only "hyp".
  gpt2::write_file_atomic(dir.file("hyps.jsonl"), "{\"hyp\": \"x y\"}\n");
  CHECK(read_jsonl(dir.file("hyps.jsonl"), false).refs.empty());
}

TEST_CASE("registry: names, options and results") {
  CHECK_THROWS_WITH(find_metric("blue"), Contains("did you mean \"bleu\""));
  MetricData data;
  data.hyps = {"the cat sat on the mat"};
  data.refs = {{"the cat sat on the mat"}};
  MetricRun run;
  run.options = {"tokenise=intl"};
  CHECK_THROWS_WITH(find_metric("bleu").run(data, run), Contains("did you mean \"tokenize\""));
  run.options = {"lowercase=maybe"};
  CHECK_THROWS_WITH(find_metric("bleu").run(data, run), Contains("true or false"));
  run.options = {"word_order=2"};
  run.per_line = true;
  MetricReport chrf = find_metric("chrf").run(data, run);
  CHECK(chrf.summary["name"] == "chrF2++");
  CHECK(chrf.summary["score"].get<double>() == Approx(100.0));
  CHECK(chrf.per_line.size() == 1);
  for (const MetricEntry& e : metric_registry()) {
    MetricReport r = e.run(data, MetricRun{});
    CHECK_FALSE(r.rows.empty());
    CHECK_FALSE(format_report_table(e, r).empty());
  }
}

TEST_CASE("gpt2 metric on files and JSONL") {
  TempDir dir;
  gpt2::write_file_atomic(dir.file("h.txt"), "the cat sat on mat\nhello world\n");
  gpt2::write_file_atomic(dir.file("r.txt"), "the cat sat on the mat\nhello world !\n");
  auto probe = gpt2::test::run_cli("metric --help");
  if (probe.exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  std::string files = " --hyps " + dir.file("h.txt") + " --refs " + dir.file("r.txt");
  auto table = gpt2::test::run_cli("metric bleu" + files);
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.output, Contains("BLEU") && Contains("nrefs:1|case:mixed"));

  auto json = gpt2::test::run_cli("metric bleu --json" + files);
  REQUIRE(json.exit_code == 0);
  Bleu bleu;
  double expected = bleu.corpus_score({"the cat sat on mat", "hello world"},
                                      {{"the cat sat on the mat"}, {"hello world !"}})
                        .score;
  CHECK(nlohmann::json::parse(json.output)["score"].get<double>() == Approx(expected));

  auto lines = gpt2::test::run_cli("metric rouge --per-line -o stemmer" + files);
  CHECK(lines.exit_code == 0);
  CHECK(std::count(lines.output.begin(), lines.output.end(), '\n') == 2);

  gpt2::write_file_atomic(dir.file("d.jsonl"), "{\"hyp\": \"a b\", \"refs\": [\"a b\"]}\n");
  auto jsonl = gpt2::test::run_cli("metric chrf --jsonl " + dir.file("d.jsonl"));
  CHECK(jsonl.exit_code == 0);
  CHECK_THAT(jsonl.output, Contains("chrF2"));

  gpt2::write_file_atomic(dir.file("short.txt"), "one line\n");
  auto ragged = gpt2::test::run_cli("metric bleu --hyps " + dir.file("h.txt") + " --refs " +
                                    dir.file("short.txt"));
  CHECK(ragged.exit_code == 1);
  CHECK_THAT(ragged.output, Contains("ragged input"));
  auto unknown = gpt2::test::run_cli("metric rogue" + files);
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Contains("did you mean \"rouge\""));
  auto no_refs = gpt2::test::run_cli("metric bleu --hyps " + dir.file("h.txt"));
  CHECK(no_refs.exit_code == 1);
  CHECK_THAT(no_refs.output, Contains("needs references"));
}
