// train.eval_tasks: zero-shot tasks at each evaluation, logged with the validation loss to
// log.jsonl, metrics.csv and TensorBoard, each number equal to what gpt2 eval --task gives on
// the checkpoint saved at that step.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "eval/eval_fixtures.h"
#include "eval/tasks/training_tasks.h"
#include "io/run_log.h"
#include "io/tensorboard_writer.h"
#include "tensorboard_test_reader.h"
#include "test_support.h"
#include "train/trainer.h"
#include "train_test_util.h"

using namespace gpt2;

namespace {

struct TaskRun {
  test::TempDir dir;
  TrainSections s;
  TaskRun() {
    test::write_tiny_shards(dir.path());
    test::write_tiny_tokenizer(dir.file("tok"));
    // Two questions whose choices differ in length (so acc and acc_norm can disagree) and two
    // continuations, short enough for the 16-token window.
    write_file_atomic(
        dir.file("mc.jsonl"),
        "{\"context\": \"the cat sat on the\", \"choices\": [\"mat\", \"men\", "
        "\"cat then\"], \"label\": 0}\n"
        "{\"context\": \"then\", \"choices\": [\"the cat\", \"on\"], \"label\": 1}\n");
    write_file_atomic(dir.file("ll.jsonl"),
                      "{\"context\": \"the cat \", \"continuation\": \"sat on the mat\"}\n"
                      "{\"context\": \"\", \"continuation\": \"then\"}\n");
    s = test::tiny_sections(dir.path(), dir.file("run"));
    s.tokenizer.path = dir.file("tok");
    s.train.keep_last = 4;  // the checkpoints of both evaluations (steps 4 and 8)
    s.train.eval_tasks.tasks = {"multiple_choice", "loglikelihood"};
    s.train.eval_tasks.task_data = {dir.file("mc.jsonl"), dir.file("ll.jsonl")};
  }
};

}  // namespace

TEST_CASE("train.eval_tasks logs each task metric, equal to gpt2 eval --task on the checkpoint",
          "[eval_tasks]") {
  TaskRun r;
  train(r.s);
  const std::vector<std::string> keys = task_log_keys(r.s.train.eval_tasks);
  REQUIRE(keys == std::vector<std::string>{"multiple_choice/acc", "multiple_choice/acc_norm",
                                           "multiple_choice/acc_bytes", "multiple_choice/acc_token",
                                           "loglikelihood/logprob", "loglikelihood/greedy",
                                           "loglikelihood/ppl", "loglikelihood/token_ppl"});

  std::map<int64_t, RunLogRow> evals;
  for (const auto& row : read_run_log(r.dir.file("run/log.jsonl")))
    if (row.kind == "eval") evals[row.step] = row;
  REQUIRE(evals.size() == 2);
  REQUIRE(evals.count(4) == 1);
  REQUIRE(evals.count(8) == 1);
  for (auto& [step, row] : evals) {
    CAPTURE(step);
    CHECK(std::isfinite(row.number("val_loss")));
    for (const auto& key : keys) CHECK(std::isfinite(row.number(key)));
  }
  // Training changed the weights between the evaluations, and the log shows it.
  CHECK(evals[4].number("loglikelihood/logprob") != evals[8].number("loglikelihood/logprob"));

  // gpt2 eval on the run directory scores every checkpoint kept (steps 4 and 8).
  const std::string out = r.dir.file("eval_out");
  auto run = test::run_cli("eval --model " + r.dir.file("run") +
                           " --task multiple_choice loglikelihood --data " +
                           r.dir.file("mc.jsonl") + " " + r.dir.file("ll.jsonl") + " --out " + out);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto json = nlohmann::json::parse(read_file(out + "/tasks.json"));
  REQUIRE(json.size() == 4);  // 2 checkpoints x 2 tasks
  size_t compared = 0;
  for (const auto& task : json) {
    const int64_t step = task["step"].get<int64_t>();
    CAPTURE(step);
    REQUIRE(evals.count(step) == 1);
    for (const auto& [metric, value] : task["metrics"].items()) {
      const std::string key = task["task"].get<std::string>() + "/" + metric;
      CAPTURE(key);
      CHECK(evals[step].number(key) == Approx(value["value"].get<double>()).epsilon(1e-6));
      ++compared;
    }
  }
  CHECK(compared == 2 * keys.size());
  // Its report: the table, and each task metric against the step.
  const std::string eval_report = read_file(out + "/report.html");
  CHECK_THAT(eval_report, Catch::Contains("Against training step") &&
                              Catch::Contains("multiple_choice acc_norm") &&
                              Catch::Contains("loglikelihood token_ppl"));
  // The run's own report.html plots each logged task metric.
  const std::string run_report = read_file(r.dir.file("run/report.html"));
  CHECK_THAT(run_report, Catch::Contains("Zero-shot tasks"));
  for (const auto& key : keys) CHECK_THAT(run_report, Catch::Contains(key));

  // metrics.csv has a column per key, filled on the evaluation rows.
  const std::string csv = read_file(r.dir.file("run/metrics.csv"));
  const std::string header = csv.substr(0, csv.find('\n'));
  for (const auto& key : keys) CHECK_THAT(header, Catch::Contains("," + key));

  // TensorBoard: the eval rows' numbers under val/, as the validation loss.
  const auto files = tensorboard_event_files(r.dir.file("run"));
  REQUIRE(files.size() == 1);
  std::map<int64_t, std::map<std::string, float>> by_step;
  for (const auto& e : test::read_events(files[0]))
    for (const auto& [tag, value] : e.values) by_step[e.step][tag] = value;
  for (auto& [step, row] : evals) {
    CHECK(by_step[step].count("val/loss") == 1);
    CHECK(by_step[step]["val/multiple_choice/acc_norm"] ==
          Approx(row.number("multiple_choice/acc_norm")));
    CHECK(by_step[step]["val/loglikelihood/ppl"] ==
          Approx(row.number("loglikelihood/ppl")).epsilon(1e-6));
  }
}

TEST_CASE("train.eval_tasks: labels for a task named twice, and files checked before training",
          "[eval_tasks]") {
  TaskSelection two;
  two.tasks = {"multiple_choice", "lambada", "multiple_choice", "multiple_choice"};
  two.task_data = {"data/piqa.jsonl", "l.jsonl", "data/arc.jsonl", "other/arc.jsonl"};
  CHECK(task_log_labels(two) == std::vector<std::string>{"multiple_choice_piqa", "lambada",
                                                         "multiple_choice_arc",
                                                         "multiple_choice_arc_4"});
  const auto keys = task_log_keys(two);
  REQUIRE(keys.size() == 4 + 2 + 4 + 4);
  CHECK(keys[4] == "lambada/acc");
  CHECK(keys[5] == "lambada/ppl");

  TaskRun r;
  r.s.train.eval_tasks.task_data[1] = r.dir.file("missing.jsonl");
  CHECK_THROWS_WITH(train(r.s), Catch::Contains("train.eval_tasks") &&
                                    Catch::Contains("missing.jsonl") &&
                                    Catch::Contains("does not exist"));
  CHECK_FALSE(file_exists(r.dir.file("run/log.jsonl")));  // refused before any step

  r.s.train.eval_tasks.task_data.pop_back();
  CHECK_THROWS_WITH(r.s.train.validate(),
                    Catch::Contains("train.eval_tasks: task_data has 1 file(s) for 2 task(s)"));

  TaskRun no_tokenizer;
  no_tokenizer.s.tokenizer.path.clear();
  CHECK_THROWS_WITH(train(no_tokenizer.s),
                    Catch::Contains("train.eval_tasks") && Catch::Contains("tokenizer"));
}

TEST_CASE("train.eval_tasks from YAML, as gpt2 train reads it", "[eval_tasks]") {
  TaskRun r;
  write_file_atomic(r.dir.file("train.yaml"), test::tiny_yaml(r.dir.path()) +
                                                  "tokenizer: {path: " + r.dir.file("tok") + "}\n");
  auto run = test::run_cli(
      "train -c " + r.dir.file("train.yaml") + " --set train.out_dir=" + r.dir.file("cli_run") +
      " --set train.max_steps=4 --set 'train.eval_tasks.tasks=[multiple_choice]'" +
      " --set 'train.eval_tasks.task_data=[" + r.dir.file("mc.jsonl") + "]'" +
      " --set train.eval_tasks.limit=1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("multiple_choice/acc_norm"));
  size_t rows = 0;
  for (const auto& row : read_run_log(r.dir.file("cli_run/log.jsonl")))
    if (row.kind == "eval") {
      ++rows;
      // One question: acc is 0 or 1.
      const double acc = row.number("multiple_choice/acc");
      CHECK((acc == 0.0 || acc == 1.0));
    }
  CHECK(rows == 1);
  // The saved config holds the section, so a resumed run keeps running the tasks.
  CHECK_THAT(read_file(r.dir.file("cli_run/config.yaml")),
             Catch::Contains("eval_tasks") && Catch::Contains("multiple_choice"));
}

TEST_CASE("configs/train/eval_tasks.yaml loads as train.eval_tasks", "[eval_tasks]") {
  TrainConfig train;
  load_config({section_ref(train)}, {{test::source_dir() + "/configs/train/eval_tasks.yaml"}, {}});
  CHECK(train.eval_tasks.tasks == std::vector<std::string>{"hellaswag"});
  CHECK(train.eval_tasks.task_data.size() == 1);
  CHECK(train.eval_tasks.limit == 200);
  CHECK(task_log_keys(train.eval_tasks).front() == "hellaswag/acc");
}

TEST_CASE("a resumed run logs the task metrics of the uninterrupted run", "[eval_tasks]") {
  TaskRun r;
  train(r.s);
  std::map<int64_t, double> first;
  for (const auto& row : read_run_log(r.dir.file("run/log.jsonl")))
    if (row.kind == "eval") first[row.step] = row.number("loglikelihood/logprob");
  REQUIRE(first.size() == 2);
  // As if the run had died before step 8's checkpoint: resume from step 4.
  std::filesystem::remove_all(r.dir.file("run/checkpoints/step_00000008"));
  TrainOptions resume;
  resume.resume = true;
  train(r.s, resume);
  std::map<int64_t, double> again;
  for (const auto& row : read_run_log(r.dir.file("run/log.jsonl")))
    if (row.kind == "eval") {
      CHECK(again.count(row.step) == 0);  // each evaluation once
      again[row.step] = row.number("loglikelihood/logprob");
    }
  REQUIRE(again.size() == 2);
  CHECK(again[4] == first[4]);
  CHECK(again[8] == Approx(first[8]).epsilon(1e-9));  // the resumed run repeats the original
  // One header, with the task columns; one CSV row per evaluation step.
  const std::string csv = read_file(r.dir.file("run/metrics.csv"));
  size_t headers = 0, eval_rows = 0;
  for (size_t at = 0; at < csv.size();) {
    const size_t end = csv.find('\n', at);
    const std::string line = csv.substr(at, end - at);
    headers += line.rfind("step,kind,", 0) == 0;
    eval_rows += line.find(",eval,") != std::string::npos;
    at = end == std::string::npos ? csv.size() : end + 1;
  }
  CHECK(headers == 1);
  CHECK(eval_rows == 2);
  CHECK_THAT(csv.substr(0, csv.find('\n')), Catch::Contains(",loglikelihood/logprob"));
}
