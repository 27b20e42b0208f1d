// Zero-shot tasks on the golden tiny model: every log-likelihood against float64, the four
// multiple-choice normalisations on questions where they disagree, each task's preprocessing
// by hand, malformed files refused with file:line and the field, and the CLI.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/files.h"
#include "eval/eval_config.h"
#include "eval/tasks/choice_scoring.h"
#include "eval/tasks/hellaswag.h"
#include "eval/tasks/lambada.h"
#include "eval/tasks/loglikelihood_task.h"
#include "eval/tasks/multiple_choice.h"
#include "eval/tasks/wikitext.h"
#include "eval_fixtures.h"
#include "io/checkpoint.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {

// log p(continuation | context) in float64, token by token (no cut: the rows here fit).
double reference_logprob(GPT2LMHeadModelImpl& model64, const TokenPair& pair, bool* greedy) {
  std::vector<int64_t> row = pair.context;
  row.insert(row.end(), pair.continuation.begin(), pair.continuation.end());
  const int64_t L = int64_t(row.size()), C = int64_t(pair.continuation.size());
  REQUIRE(L <= 64);
  at::NoGradGuard no_grad;
  auto log_probs = at::log_softmax(
      model64.forward(at::tensor(row, at::kLong).view({1, L})).logits[0], -1);  // (L, V)
  double sum = 0;
  bool all = true;
  for (int64_t t = L - C; t < L; ++t) {
    sum += log_probs[t - 1][row[t]].item<double>();
    all = all && log_probs[t - 1].argmax().item<int64_t>() == row[t];
  }
  if (greedy) *greedy = all;
  return sum;
}

int64_t argmax(const std::vector<double>& v) {
  return int64_t(std::max_element(v.begin(), v.end()) - v.begin());  // first of the largest
}

struct TaskFixture {
  test::TempDir dir;
  std::string model_dir;
  std::unique_ptr<Tokenizer> tokenizer;
  GPT2LMHeadModel model{nullptr}, model64{nullptr};
  TaskFixture() {
    model_dir = test::write_tiny_model_dir(dir.file("model"));
    tokenizer = load_tokenizer(model_dir);
    model = load_model_dir(model_dir);
    model64 = load_model_dir(model_dir);
    model64->to(at::kDouble);
    model64->eval();
  }
  double reference(const std::string& context, const std::string& continuation,
                   bool* greedy = nullptr) {
    return reference_logprob(*model64, encode_pair(*tokenizer, context, continuation), greedy);
  }
};

const TaskMetric& metric(const TaskResult& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m;
  FAIL("no metric " << name);
  throw;
}

}  // namespace

TEST_CASE("hellaswag preprocessing: the harness's rules on hand examples") {
  CHECK(hellaswag_preprocess("  How to fix a roof [title] Climb up. [step] Look around.  ") ==
        "How to fix a roof. Climb up. Look around.");
  CHECK(hellaswag_preprocess("a  b   c    d") == "a b  c  d");  // one pass of "  " -> " "
  CHECK(hellaswag_preprocess("keep [open bracket") == "keep [open bracket");
  CHECK(capitalize("tHE man Sits") == "The man sits");

  test::TempDir dir;
  write_file_atomic(
      dir.file("h.jsonl"),
      R"({"ind": 4, "activity_label": "Roof", "ctx_a": "A man is on a roof.", "ctx_b": "hE", "ctx": "A man is on a roof. hE", "endings": ["is using wrap.", "pulls up roofing [title] on it."], "label": 1, "split": "val"})"
      "\n");
  auto q = load_hellaswag(dir.file("h.jsonl"), 0);
  REQUIRE(q.size() == 1);
  CHECK(q[0].context == "Roof: A man is on a roof. He");  // ctx_b capitalised
  CHECK(q[0].choices == std::vector<std::string>({"is using wrap.", "pulls up roofing. on it."}));
  CHECK(q[0].label == 1);

  // Scored: each preprocessed ending after a space, given the preprocessed context.
  TaskFixture f;
  TaskSettings settings;
  settings.data = dir.file("h.jsonl");
  settings.log_samples = true;
  TaskResult result = run_hellaswag(TaskEnv{*f.model, *f.tokenizer}, settings);
  REQUIRE(result.samples.size() == 1);
  auto sample = nlohmann::json::parse(result.samples[0]);
  for (size_t c = 0; c < 2; ++c)
    CHECK(sample["loglikelihoods"][c].get<double>() ==
          Approx(f.reference(q[0].context, " " + q[0].choices[c])).epsilon(1e-6));
  CHECK(sample["label"] == 1);
}

TEST_CASE("multiple choice: acc, acc_norm, acc_bytes, acc_token against float64 by hand") {
  TaskFixture f;
  // Choices of very different lengths in characters, bytes (é is 2 bytes, 1 character) and
  // tokens (merged words are 1 token for 3-4 characters), so the normalisations disagree.
  const std::vector<ChoiceQuestion> questions = {
      {"the cat sat on the", {"mat", "mat. the cat sat on the mat", "éééé"}, 1},
      {"the men sat", {"on", "éé é"}, 1},
      {"", {"the cat", "then then then", "éééééééé"}, 2},
  };
  test::TempDir dir;
  std::string text;
  for (const auto& q : questions)
    text += nlohmann::json({{"context", q.context}, {"choices", q.choices}, {"label", q.label}})
                .dump() +
            "\n";
  write_file_atomic(dir.file("mc.jsonl"), text);
  TaskSettings settings;
  settings.data = dir.file("mc.jsonl");
  settings.log_samples = true;
  TaskResult result = run_multiple_choice(TaskEnv{*f.model, *f.tokenizer}, settings);
  REQUIRE(result.examples == 3);
  REQUIRE(result.samples.size() == 3);

  std::vector<double> right(4, 0);  // acc, acc_norm, acc_bytes, acc_token
  std::vector<std::vector<int64_t>> picks(4);
  for (size_t qi = 0; qi < questions.size(); ++qi) {
    CAPTURE(qi);
    const auto& q = questions[qi];
    auto sample = nlohmann::json::parse(result.samples[qi]);
    std::vector<double> sum, per_char, per_byte, per_token;
    for (size_t c = 0; c < q.choices.size(); ++c) {
      const std::string& choice = q.choices[c];
      const double ll = f.reference(q.context, " " + choice);
      const int64_t tokens =
          int64_t(encode_pair(*f.tokenizer, q.context, " " + choice).continuation.size());
      int64_t chars = 0;  // by hand: é is the only non-ASCII character here
      for (size_t i = 0; i < choice.size(); ++i) chars += choice.compare(i, 2, "é") == 0 ? 0 : 1;
      CHECK(sample["loglikelihoods"][c].get<double>() == Approx(ll).epsilon(1e-6));
      CHECK(sample["tokens"][c].get<int64_t>() == tokens);
      sum.push_back(ll);
      per_char.push_back(ll / double(chars));
      per_byte.push_back(ll / double(choice.size()));
      per_token.push_back(ll / double(tokens));
    }
    const std::vector<int64_t> want = {argmax(sum), argmax(per_char), argmax(per_byte),
                                       argmax(per_token)};
    const char* names[] = {"acc", "acc_norm", "acc_bytes", "acc_token"};
    for (int m = 0; m < 4; ++m) {
      CAPTURE(names[m]);
      CHECK(sample["chosen"][names[m]].get<int64_t>() == want[m]);
      picks[m].push_back(want[m]);
      right[m] += want[m] == q.label;
    }
  }
  // The golden model's float64 log-likelihoods (sum / per char / per byte / per token):
  //   q0: mat -18.8 -6.25 -6.25 -9.38; mat. the cat... -144.6 -5.35 -5.35 -13.1;
  //       éééé -101.9 -25.5 -12.7 -11.3
  //   q1: on -29.8 -14.9 -14.9 -14.9; éé é -91.3 -22.8 -13.0 -11.4
  //   q2: the cat -23.6 -3.38 -3.38 -11.8; then then then -75.0 -5.36 -5.36 -12.5;
  //       éééééééé -225.3 -28.2 -14.1 -13.3
  // so no two normalisations pick the same answers: the sum takes the shortest choice, per
  // character the long ASCII one, per byte also 2-byte characters, per token merged words.
  CHECK(picks[0] == std::vector<int64_t>({0, 0, 0}));
  CHECK(picks[1] == std::vector<int64_t>({1, 0, 0}));
  CHECK(picks[2] == std::vector<int64_t>({1, 1, 0}));
  CHECK(picks[3] == std::vector<int64_t>({0, 1, 0}));
  const char* names[] = {"acc", "acc_norm", "acc_bytes", "acc_token"};
  for (int m = 0; m < 4; ++m) {
    CAPTURE(names[m]);
    const double p = right[m] / 3;
    CHECK(metric(result, names[m]).value == Approx(p));
    // Sample std of 0/1 values over n = 3, divided by sqrt(3).
    const double se = std::sqrt(3 * p * (1 - p) / 2) / std::sqrt(3.0);
    CHECK(metric(result, names[m]).std_error == Approx(se).margin(1e-12));
  }
  // Sharing the context changes nothing.
  settings.scoring.share_prefix = false;
  TaskResult separate = run_multiple_choice(TaskEnv{*f.model, *f.tokenizer}, settings);
  for (size_t qi = 0; qi < 3; ++qi)
    for (size_t c = 0; c < questions[qi].choices.size(); ++c)
      CHECK(nlohmann::json::parse(separate.samples[qi])["loglikelihoods"][c].get<double>() ==
            Approx(nlohmann::json::parse(result.samples[qi])["loglikelihoods"][c].get<double>())
                .margin(1e-6));
}

TEST_CASE("lambada: the last word after the last space, acc is greedy, ppl per example") {
  TaskFixture f;
  test::TempDir dir;
  write_file_atomic(dir.file("l.jsonl"),
                    "{\"text\": \"the cat sat on the mat\"}\n\n{\"text\": \"then the men sat\"}\n");
  auto examples = load_lambada(dir.file("l.jsonl"), 0);
  REQUIRE(examples.size() == 2);
  CHECK(examples[0].context == "the cat sat on the");
  CHECK(examples[0].continuation == " mat");
  CHECK(examples[1].context == "then the men");
  CHECK(examples[1].continuation == " sat");
  TaskSettings settings;
  settings.data = dir.file("l.jsonl");
  TaskResult result = run_lambada(TaskEnv{*f.model, *f.tokenizer}, settings);
  bool g0 = false, g1 = false;
  const double a = f.reference("the cat sat on the", " mat", &g0);
  const double b = f.reference("then the men", " sat", &g1);
  CHECK(metric(result, "acc").value == Approx((double(g0) + double(g1)) / 2));
  CHECK(metric(result, "ppl").value == Approx(std::exp(-(a + b) / 2)).epsilon(1e-5));
  CHECK(result.examples == 2);
}

TEST_CASE("loglikelihood task: mean summed log-prob, greedy rate, per-example and token ppl") {
  TaskFixture f;
  test::TempDir dir;
  write_file_atomic(dir.file("p.jsonl"),
                    "{\"context\": \"the cat \", \"continuation\": \"sat on the mat\"}\n"
                    "{\"context\": \"\", \"continuation\": \"then\"}\n");
  TaskSettings settings;
  settings.data = dir.file("p.jsonl");
  TaskResult result = run_loglikelihood_task(TaskEnv{*f.model, *f.tokenizer}, settings);
  bool g0 = false, g1 = false;
  const double a = f.reference("the cat ", "sat on the mat", &g0);
  const double b = f.reference("", "then", &g1);
  const double tokens =
      double(encode_pair(*f.tokenizer, "the cat ", "sat on the mat").continuation.size() +
             encode_pair(*f.tokenizer, "", "then").continuation.size());
  CHECK(metric(result, "logprob").value == Approx((a + b) / 2).epsilon(1e-6));
  CHECK(metric(result, "logprob").std_error ==
        Approx(std::abs(a - b) / std::sqrt(2.0) / std::sqrt(2.0)).epsilon(1e-5));
  CHECK(metric(result, "greedy").value == Approx((double(g0) + double(g1)) / 2));
  CHECK(metric(result, "ppl").value == Approx(std::exp(-(a + b) / 2)).epsilon(1e-5));
  CHECK(metric(result, "token_ppl").value == Approx(std::exp(-(a + b) / tokens)).epsilon(1e-5));
}

TEST_CASE("wikitext: articles at top-level headings, harness word counts, rolling metrics") {
  const std::string raw =
      " \n = First = \n \n the cat sat . \n = = Part = = \n on the mat . \n"
      " = Second = \n \n then the men sat . \n";
  auto articles = split_wikitext_articles(raw);
  REQUIRE(articles.size() == 2);
  CHECK(articles[0] == " = First = \n \n the cat sat . \n = = Part = = \n on the mat . \n");
  CHECK(articles[1] == " = Second = \n \n then the men sat . \n");
  // re.split(r"\s+", s): a leading and a trailing run each add an empty piece.
  CHECK(count_harness_words("a b  c") == 3);
  CHECK(count_harness_words(" a b ") == 4);
  CHECK(count_harness_words(articles[1]) == 10);  // Python's answer
  // The harness's wikitext_detokenizer, its outputs from Python.
  CHECK(wikitext_detokenize("a ( b c ) d") == "a (b c) d");
  CHECK(wikitext_detokenize("x \" y \" z \" w") == "x \"y\" z \" w");
  CHECK(wikitext_detokenize("it 's the dogs ' bone") == "it's the dogs' bone");
  CHECK(wikitext_detokenize("= = Part = =") == "== Part ==");
  CHECK(wikitext_detokenize("5 @-@ 6 @,@ 000 , ok . ") == "5-6,000, ok. ");
  CHECK(wikitext_detokenize("a ( b ( c ) d ) e") == "a (b ( c) d ) e");
  CHECK(wikitext_detokenize("temp 5 \u00b0 C") == "temp 5\u00b0C");
  CHECK(wikitext_detokenize(" \n N stuff \n") == "\nN stuff\n");

  TaskFixture f;
  test::TempDir dir;
  write_file_atomic(dir.file("wiki.raw"), raw);
  TaskSettings settings;
  settings.data = dir.file("wiki.raw");
  settings.scoring.window = 8;
  TaskResult result = run_wikitext(TaskEnv{*f.model, *f.tokenizer}, settings);
  REQUIRE(result.examples == 2);
  // Scored detokenized, counted as written.
  const std::vector<std::string> targets = {wikitext_detokenize(articles[0]),
                                            wikitext_detokenize(articles[1])};
  CHECK(targets[1] == " = Second =\n\nthen the men sat.\n");  // as Python gives
  auto ll = loglikelihood_rolling(*f.model, *f.tokenizer, targets, settings.scoring);
  const double total = ll[0].logprob + ll[1].logprob;
  const double words = double(count_harness_words(articles[0]) + count_harness_words(articles[1]));
  const double bytes = double(articles[0].size() + articles[1].size());
  CHECK(metric(result, "word_perplexity").value == Approx(std::exp(-total / words)));
  CHECK(metric(result, "byte_perplexity").value == Approx(std::exp(-total / bytes)));
  CHECK(metric(result, "bits_per_byte").value == Approx(-total / bytes / std::log(2.0)));
  // The same pages as JSON lines.
  write_file_atomic(dir.file("wiki.jsonl"), nlohmann::json({{"page", articles[0]}}).dump() + "\n" +
                                                nlohmann::json({{"page", articles[1]}}).dump() +
                                                "\n");
  settings.data = dir.file("wiki.jsonl");
  TaskResult jsonl = run_wikitext(TaskEnv{*f.model, *f.tokenizer}, settings);
  CHECK(metric(jsonl, "word_perplexity").value == Approx(metric(result, "word_perplexity").value));
}

TEST_CASE("task files of another shape are refused with file:line and the field") {
  test::TempDir dir;
  const std::string good =
      R"({"activity_label": "a", "ctx_a": "b", "ctx_b": "c", "ctx": "b c", "endings": ["x", "y"], "label": 0})";
  write_file_atomic(
      dir.file("h.jsonl"),
      good + "\n" +
          R"({"activity_label": "a", "ctx_a": "b", "ctx_b": "c", "ctx": "b c", "label": 0})" +
          "\n");
  CHECK_THROWS_WITH(load_hellaswag(dir.file("h.jsonl"), 0),
                    Catch::Contains(dir.file("h.jsonl") + ":2: field \"endings\" is missing") &&
                        Catch::Contains("HellaSwag"));
  // A multiple-choice file given to hellaswag: the first missing field is named.
  write_file_atomic(dir.file("mc.jsonl"), R"({"context": "a", "choices": ["b"], "label": 0})");
  CHECK_THROWS_WITH(load_hellaswag(dir.file("mc.jsonl"), 0),
                    Catch::Contains("mc.jsonl:1: field \"activity_label\" is missing"));
  write_file_atomic(dir.file("bad_label.jsonl"),
                    R"({"context": "a", "choices": ["b", "c"], "label": 2})");
  CHECK_THROWS_WITH(load_multiple_choice(dir.file("bad_label.jsonl"), 0),
                    Catch::Contains("bad_label.jsonl:1: field \"label\" is outside 0..1"));
  write_file_atomic(dir.file("l.jsonl"), "{\"text\": \"a b\"}\nnot json\n");
  CHECK_THROWS_WITH(load_lambada(dir.file("l.jsonl"), 0),
                    Catch::Contains("l.jsonl:2: not a JSON object"));
  write_file_atomic(dir.file("l2.jsonl"), "{\"text\": 3}\n");
  CHECK_THROWS_WITH(load_lambada(dir.file("l2.jsonl"), 0),
                    Catch::Contains("l2.jsonl:1: field \"text\" is not a string"));
  // An empty continuation has nothing to score (its log-likelihood would read 0, "certain").
  write_file_atomic(dir.file("ll.jsonl"),
                    "{\"context\": \"a\", \"continuation\": \"b\"}\n"
                    "{\"context\": \"a\", \"continuation\": \"\"}\n");
  CHECK_THROWS_WITH(load_loglikelihood_pairs(dir.file("ll.jsonl"), 0),
                    Catch::Contains("ll.jsonl:2: field \"continuation\" is empty"));
  CHECK_THROWS_WITH(find_task("helaswag"), Catch::Contains("did you mean hellaswag"));
}

TEST_CASE("gpt2 eval --task runs a task and writes its table, JSON, CSV and samples") {
  test::TempDir dir;
  const std::string model_dir = test::write_tiny_model_dir(dir.file("model"));
  write_file_atomic(dir.file("mc.jsonl"),
                    "{\"context\": \"the cat sat on the\", \"choices\": [\"mat\", \"men\"], "
                    "\"label\": 0}\n{\"context\": \"then\", \"choices\": [\"the cat\", \"é\"], "
                    "\"label\": 1}\n");
  auto run = test::run_cli("eval --model " + model_dir + " --task multiple_choice --data " +
                           dir.file("mc.jsonl") + " --out " + dir.file("out") + " --log-samples " +
                           dir.file("samples.jsonl"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("acc_norm") && Catch::Contains("acc_token") &&
                             Catch::Contains("signature: multiple_choice|data:sha256:"));
  auto json = nlohmann::json::parse(read_file(dir.file("out/tasks.json")));
  REQUIRE(json.size() == 1);
  CHECK(json[0]["examples"] == 2);
  CHECK(json[0]["task"] == "multiple_choice");
  CHECK(json[0]["data_sha256"].get<std::string>().size() == 64);
  CHECK(file_exists(dir.file("out/tasks.csv")));
  const std::string samples = read_file(dir.file("samples.jsonl"));
  CHECK(std::count(samples.begin(), samples.end(), '\n') == 2);
  CHECK_THAT(samples, Catch::Contains("\"chosen\"") && Catch::Contains("\"label\":1"));

  auto bad = test::run_cli("eval --model " + model_dir + " --task hellaswag --data " +
                           dir.file("mc.jsonl"));
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::Contains("mc.jsonl:1: field \"activity_label\" is missing"));
}

TEST_CASE("every configs/eval example loads as an eval section naming one task and its data") {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_dir() + "/configs/eval")) {
    CAPTURE(entry.path().string());
    EvalConfig config;
    load_config({section_ref(config)}, {{entry.path().string()}, {}});
    REQUIRE(config.tasks.size() == 1);
    CHECK(config.tasks[0] == entry.path().stem().string());
    CHECK(config.task_data.size() == 1);
    ++files;
  }
  CHECK(files == int(task_names().size()));
  // One data file per task, or a clear error.
  test::TempDir dir;
  write_file_atomic(dir.file("bad.yaml"),
                    "eval:\n  tasks: [lambada, wikitext]\n  task_data: [a]\n");
  EvalConfig config;
  CHECK_THROWS_WITH(load_config({section_ref(config)}, {{dir.file("bad.yaml")}, {}}),
                    Catch::Contains("task_data has 1 file(s) for 2 task(s)"));
}

TEST_CASE("gpt2 eval runs the tasks of a YAML eval section") {
  test::TempDir dir;
  const std::string model_dir = test::write_tiny_model_dir(dir.file("model"));
  write_file_atomic(dir.file("l.jsonl"), "{\"text\": \"the cat sat on the mat\"}\n");
  write_file_atomic(dir.file("p.jsonl"), "{\"context\": \"the\", \"continuation\": \" cat\"}\n");
  write_file_atomic(dir.file("eval.yaml"),
                    "eval:\n  tasks: [lambada, loglikelihood]\n"
                    "  task_data: [" +
                        dir.file("l.jsonl") + ", " + dir.file("p.jsonl") + "]\n");
  auto run = test::run_cli("eval --model " + model_dir + " -c " + dir.file("eval.yaml") +
                           " --out " + dir.file("out"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto json = nlohmann::json::parse(read_file(dir.file("out/tasks.json")));
  REQUIRE(json.size() == 2);
  CHECK(json[0]["task"] == "lambada");
  CHECK(json[1]["task"] == "loglikelihood");
  CHECK(json[1]["metrics"].contains("token_ppl"));
}

TEST_CASE("every task reports the metrics its registry entry declares (train.eval_tasks columns)") {
  TaskFixture f;
  test::TempDir dir;
  const std::map<std::string, std::string> files = {
      {"hellaswag",
       R"({"activity_label": "Roof", "ctx_a": "A man is on a roof.", "ctx_b": "he", "ctx": "A man is on a roof. he", "endings": ["sat.", "is on the mat."], "label": 1})"
       "\n"},
      {"lambada", "{\"text\": \"the cat sat on the mat\"}\n"},
      {"multiple_choice",
       "{\"context\": \"the cat\", \"choices\": [\"sat\", \"men\"], \"label\": 0}\n"},
      {"loglikelihood", "{\"context\": \"the\", \"continuation\": \" cat\"}\n"},
      {"wikitext", " = Title = \n \n the cat sat on the mat . \n"},
  };
  REQUIRE(files.size() == task_registry().size());
  for (const TaskEntry& entry : task_registry()) {
    CAPTURE(entry.name);
    REQUIRE(files.count(entry.name) == 1);
    TaskSettings settings;
    settings.data = dir.file(std::string(entry.name) + ".txt");
    write_file_atomic(settings.data, files.at(entry.name));
    const TaskResult result =
        run_task_on(TaskEnv{*f.model, *f.tokenizer}, "m", entry.name, settings);
    std::string names;
    for (const auto& m : result.metrics) names += (names.empty() ? "" : " ") + m.name;
    CHECK(names == entry.metrics);
    CHECK(result.signature.rfind(std::string(entry.name) + "|data:sha256:", 0) == 0);
  }
}
