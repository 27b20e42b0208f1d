// What a run leaves for watching it: TensorBoard events (decoded by the tests' own reader),
// report.html, Hugging Face-style trainer_state.json and the network-health rows, each checked
// against log.jsonl, the checkpoints and norms computed here.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "core/files.h"
#include "io/checkpoint.h"
#include "io/run_log.h"
#include "io/tensorboard_writer.h"
#include "model/gpt2_model.h"
#include "tensorboard_test_reader.h"
#include "test_support.h"
#include "tiny_model_config.h"
#include "train/network_health.h"
#include "train/run_report.h"
#include "train/trainer.h"
#include "train_test_util.h"

using namespace gpt2;

namespace {

// The group of a parameter name, written out again here: blocks by index, wte/wpe, ln_f.
std::string group_of(const std::string& name) {
  static const std::regex block(R"(transformer\.h\.(\d+)\..*)");
  std::smatch m;
  if (std::regex_match(name, m, block)) return "h." + m[1].str();
  if (name.rfind("transformer.wte.", 0) == 0 || name.rfind("transformer.wpe.", 0) == 0)
    return "embeddings";
  if (name.rfind("transformer.ln_f.", 0) == 0) return "ln_f";
  return "?";
}

// Point counts of the polylines whose <title> is `name`, in document order.
std::vector<size_t> polyline_points(const std::string& html, const std::string& name) {
  std::vector<size_t> counts;
  const std::regex line("<polyline[^>]*points=\"([^\"]*)\"><title>" + name + "</title>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), line); it != std::sregex_iterator();
       ++it) {
    const std::string points = (*it)[1].str();
    counts.push_back(size_t(std::count(points.begin(), points.end(), ',')));
  }
  return counts;
}

std::vector<RunLogRow> rows_of(const std::vector<RunLogRow>& log, const std::string& kind) {
  std::vector<RunLogRow> out;
  for (const auto& row : log)
    if (row.kind == kind) out.push_back(row);
  return out;
}

}  // namespace

TEST_CASE("a run writes TensorBoard events equal to its log", "[watch]") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  train(s);
  const auto log = read_run_log(dir.file("run/log.jsonl"));
  const auto files = tensorboard_event_files(dir.file("run"));
  REQUIRE(files.size() == 1);
  CHECK(std::filesystem::path(files[0]).filename().string().rfind("events.out.tfevents.", 0) == 0);
  const auto events = test::read_events(files[0]);
  REQUIRE(!events.empty());
  CHECK(events[0].file_version == "brain.Event:2");

  std::map<int64_t, std::map<std::string, float>> by_step;
  for (size_t i = 1; i < events.size(); ++i)
    for (const auto& [tag, value] : events[i].values) by_step[events[i].step][tag] = value;
  const auto train_rows = rows_of(log, "train"), eval_rows = rows_of(log, "eval");
  REQUIRE(train_rows.size() == 8);
  REQUIRE(eval_rows.size() == 2);
  for (const auto& row : train_rows) {
    INFO("step " << row.step);
    auto& tags = by_step.at(row.step);
    CHECK(tags.at("train/loss") == float(row.number("loss")));
    CHECK(tags.at("lr") == float(row.number("lr")));
    CHECK(tags.at("grad_norm") == float(row.number("grad_norm")));
    CHECK(tags.at("tokens_per_s") == float(row.number("tokens_per_s")));
    CHECK(tags.at("mfu") == float(row.number("mfu")));
  }
  for (const auto& row : eval_rows) {
    auto& tags = by_step.at(row.step);
    CHECK(tags.at("val/loss") == float(row.number("val_loss")));
    CHECK(tags.at("val/ppl") == float(std::exp(row.number("val_loss"))));
  }
}

TEST_CASE("a resumed run adds an events file and no step twice", "[watch]") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  s.train.checkpoint_interval = 4;
  s.train.keep_best = false;
  train(s);
  // As if the run had died before step 8's checkpoint: resume from step 4, whose events of
  // steps 5..8 are already in the first file.
  std::filesystem::remove_all(dir.file("run/checkpoints/step_00000008"));
  TrainOptions resume;
  resume.resume = true;
  train(s, resume);
  const auto files = tensorboard_event_files(dir.file("run"));
  REQUIRE(files.size() == 2);
  std::multiset<int64_t> loss_steps;
  for (const auto& file : files)
    for (const auto& e : test::read_events(file))
      if (e.values.count("train/loss")) loss_steps.insert(e.step);
  CHECK(loss_steps == std::multiset<int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  // trainer_state.json's history too: each train step once.
  auto hf = nlohmann::json::parse(read_file(dir.file("run/trainer_state.json")));
  std::multiset<int64_t> history_steps;
  for (const auto& entry : hf["log_history"])
    if (entry.contains("loss")) history_steps.insert(entry["step"].get<int64_t>());
  CHECK(history_steps == loss_steps);
}

TEST_CASE("report.html is rewritten at each evaluation with the curves of the log", "[watch]") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  s.train.grad_clip = 0.5;  // the tiny model's gradients exceed it early on
  std::string report_at_5;
  TrainOptions watch;
  watch.on_step = [&](int64_t step, double) {
    if (step == 5) report_at_5 = read_file(dir.file("run/report.html"));
  };
  train(s, watch);
  // After the evaluation of step 4: 4 train points, 1 val point (linear and log-step charts).
  CHECK(polyline_points(report_at_5, "train loss") == std::vector<size_t>{4, 4});
  CHECK(polyline_points(report_at_5, "val loss") == std::vector<size_t>{1, 1});

  const std::string html = read_file(dir.file("run/report.html"));
  CHECK(polyline_points(html, "train loss") == std::vector<size_t>{8, 8});
  CHECK(polyline_points(html, "val loss") == std::vector<size_t>{2, 2});
  CHECK(polyline_points(html, "lr") == std::vector<size_t>{8});
  CHECK(polyline_points(html, "tokens/s") == std::vector<size_t>{8});
  // Clip events: one marker per logged step whose gradient norm exceeded grad_clip.
  size_t clipped = 0;
  for (const auto& row : rows_of(read_run_log(dir.file("run/log.jsonl")), "train"))
    clipped += row.number("grad_norm") > 0.5;
  REQUIRE(clipped > 0);
  const std::regex markers(
      "<g class=\"markers\"[^>]*><title>clipped[^<]*</title>((<circle[^>]*/>)*)</g>");
  std::smatch m;
  REQUIRE(std::regex_search(html, m, markers));
  const std::string circles = m[1].str();
  size_t count = 0;
  for (size_t at = circles.find("<circle"); at != std::string::npos;
       at = circles.find("<circle", at + 1))
    ++count;
  CHECK(count == clipped);
  CHECK(html.find("<script") == std::string::npos);  // self-contained
  CHECK(html.find("checkpoints/step_00000008") != std::string::npos);
  CHECK(html.find("max_steps: 8") != std::string::npos);  // the config
  // Written by rename: no temp file left beside it.
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("run")))
    CHECK(entry.path().filename().string().find("report.html.") == std::string::npos);
}

TEST_CASE("trainer_state.json holds HF's TrainerState fields from the run", "[watch]") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  train(s);
  auto hf = nlohmann::json::parse(read_file(dir.file("run/trainer_state.json")));
  const auto log = read_run_log(dir.file("run/log.jsonl"));
  const auto evals = rows_of(log, "eval");
  REQUIRE(evals.size() == 2);
  const auto& best =
      evals[0].number("val_loss") < evals[1].number("val_loss") ? evals[0] : evals[1];
  CHECK(hf["global_step"] == 8);
  CHECK(hf["max_steps"] == 8);
  CHECK(hf["eval_steps"] == 4);
  CHECK(hf["logging_steps"] == 1);
  CHECK(hf["train_batch_size"] == 4);
  CHECK(hf["num_input_tokens_seen"] == 8 * 4 * 16);
  // 8 steps x 4 windows x 16 tokens of the 20000 training tokens; all max_steps are done.
  CHECK(hf["epoch"].get<double>() == Approx(8.0 * 4 * 16 / 20000));
  CHECK(hf["num_train_epochs"].get<double>() == Approx(8.0 * 4 * 16 / 20000));
  CHECK(hf["best_metric"].get<double>() == best.number("val_loss"));
  CHECK(hf["best_global_step"] == best.step);
  char folder[32];
  std::snprintf(folder, sizeof folder, "step_%08ld", long(best.step));
  CHECK(hf["best_model_checkpoint"] == dir.file("run/checkpoints/") + folder);
  REQUIRE(hf["log_history"].size() == 10);
  size_t train_i = 0;
  const auto trains = rows_of(log, "train");
  for (const auto& entry : hf["log_history"]) {
    if (entry.contains("eval_loss")) continue;
    const auto& row = trains.at(train_i++);
    CHECK(entry["step"] == row.step);
    CHECK(entry["loss"].get<double>() == row.number("loss"));
    CHECK(entry["learning_rate"].get<double>() == row.number("lr"));
    CHECK(entry["grad_norm"].get<double>() == row.number("grad_norm"));
  }
  CHECK(train_i == 8);
  CHECK(hf["log_history"][4]["eval_loss"].get<double>() == evals[0].number("val_loss"));
  // The checkpoints keep our own resumable trainer_state.json.
  auto ours = nlohmann::json::parse(read_file(dir.file("run/latest/trainer_state.json")));
  CHECK(ours.contains("format_version"));
}

TEST_CASE("health rows at evaluations equal norms of the checkpoint and the global gradient norm",
          "[watch][health]") {
  test::TempDir dir;
  test::write_tiny_shards(dir.path());
  auto s = test::tiny_sections(dir.path(), dir.file("run"));
  s.train.keep_last = 3;
  train(s);
  const auto log = read_run_log(dir.file("run/log.jsonl"));
  const auto health = rows_of(log, "health");
  REQUIRE(health.size() == 2);
  CHECK(health[0].step == 4);
  CHECK(health[1].step == 8);
  std::map<int64_t, double> grad_norm_at;
  for (const auto& row : rows_of(log, "train")) grad_norm_at[row.step] = row.number("grad_norm");
  for (const auto& row : health) {
    INFO("step " << row.step);
    // The groups' gradient norms add up (in squares) to the step's global gradient norm.
    double sum_sq = 0;
    for (const char* g : {"embeddings", "h.0", "h.1", "ln_f"}) {
      const double norm = row.number(std::string(g) + "/grad_norm");
      REQUIRE(std::isfinite(norm));
      sum_sq += norm * norm;
    }
    CHECK(std::sqrt(sum_sq) == Approx(grad_norm_at.at(row.step)).epsilon(1e-5));
    // Weight norms: the checkpoint of that step, grouped here.
    char folder[40];
    std::snprintf(folder, sizeof folder, "run/checkpoints/step_%08ld", long(row.step));
    auto model = load_model_dir(dir.file(folder));
    std::map<std::string, double> weight_sq;
    for (const auto& item : model->named_parameters())
      weight_sq[group_of(item.key())] += item.value().to(at::kDouble).pow(2).sum().item<double>();
    REQUIRE(weight_sq.size() == 4);
    for (const auto& [group, sq] : weight_sq) {
      CHECK(row.number(group + "/weight_norm") == Approx(std::sqrt(sq)).epsilon(1e-6));
      const double ratio = row.number(group + "/update_ratio");
      CHECK(ratio > 0);
      CHECK(ratio < 0.5);
    }
  }
}

TEST_CASE("the health probe's norms equal norms computed directly", "[health]") {
  at::manual_seed(3);
  GPT2LMHeadModel model(test::tiny_model_config(16, 8, 8, 2, 2));
  NamedTensors params;
  for (const auto& item : model->named_parameters()) params.emplace_back(item.key(), item.value());
  // Known gradients and a known update: grad = 0.1 * (index + 1), delta = 0.01 * (index + 1).
  std::map<std::string, double> grad_sq, delta_sq, after_sq;
  {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& p = params[i].second;
      p.mutable_grad() = at::full_like(p, 0.1 * double(i + 1));
      grad_sq[group_of(params[i].first)] += std::pow(0.1 * double(i + 1), 2) * double(p.numel());
    }
  }
  HealthProbe probe;
  probe.before_update(params);
  CHECK(probe.armed());
  {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& p = params[i].second;
      p.add_(0.01 * double(i + 1));
      delta_sq[group_of(params[i].first)] += std::pow(0.01 * double(i + 1), 2) * double(p.numel());
      after_sq[group_of(params[i].first)] += p.to(at::kDouble).pow(2).sum().item<double>();
    }
  }
  const auto groups = probe.after_update(params);
  CHECK(!probe.armed());
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].group == "embeddings");
  CHECK(groups[1].group == "h.0");
  CHECK(groups[2].group == "h.1");
  CHECK(groups[3].group == "ln_f");
  for (const auto& g : groups) {
    INFO(g.group);
    CHECK(g.grad_norm == Approx(std::sqrt(grad_sq[g.group])).epsilon(1e-6));
    CHECK(g.weight_norm == Approx(std::sqrt(after_sq[g.group])).epsilon(1e-6));
    CHECK(g.update_norm == Approx(std::sqrt(delta_sq[g.group])).epsilon(1e-4));
    CHECK(g.update_ratio == Approx(g.update_norm / g.weight_norm).epsilon(1e-12));
  }
  const LogRow row = health_row(4, groups);
  CHECK(row.kind == "health");
  CHECK(row.numbers.size() == 12);
  CHECK(row.numbers[0].first == "embeddings/grad_norm");
}

TEST_CASE("a long run's report thins its curves and keeps the last point", "[watch]") {
  RunReportInput in;
  in.run_dir = "runs/long";
  in.max_steps = 5001;
  for (int64_t step = 1; step <= 5001; ++step) {
    RunLogRow row;
    row.kind = "train";
    row.step = step;
    row.numbers = {
        {"loss", 10.0 / double(step)}, {"lr", 1e-3}, {"grad_norm", 0.5}, {"tokens_per_s", 100}};
    in.log.push_back(row);
  }
  const std::string html = run_report_html(in);
  // 5001 points, stride ceil(5001 / 2000) = 3: steps 1, 4, ..., 4999 (1667 points) + step 5001.
  CHECK(polyline_points(html, "train loss") == std::vector<size_t>{1668, 1668});
  // No evaluation yet, no checkpoint: the page is still whole.
  CHECK(html.find("step 5001 of 5001") != std::string::npos);
  CHECK(html.find("</html>") != std::string::npos);
}
