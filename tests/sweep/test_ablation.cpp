// Ablation grids: expansion, aggregation over seeds, and a sweep that is killed and restarted.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/files.h"
#include "sweep/ablation.h"
#include "sweep/ablation_report.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gpt2;
using Catch::Matchers::Contains;

extern char** environ;

TEST_CASE("the grid varies the right-most axis fastest, then seeds") {
  auto runs = expand_grid({{"model.n_layer", {"2", "4"}}, {"train.lr", {"3e-4", "1e-3"}}}, {1, 2});
  REQUIRE(runs.size() == 8);
  CHECK(runs[0].name == "n_layer=2,lr=3e-4,seed=1");
  CHECK(runs[1].name == "n_layer=2,lr=3e-4,seed=2");
  CHECK(runs[2].name == "n_layer=2,lr=1e-3,seed=1");
  CHECK(runs[7].name == "n_layer=4,lr=1e-3,seed=2");
  CHECK(runs[7].group == "n_layer=4,lr=1e-3");
  CHECK(runs[3].overrides ==
        std::vector<std::string>{"model.n_layer=2", "train.lr=1e-3", "runtime.seed=2"});
  auto base = expand_grid({}, {5});
  REQUIRE(base.size() == 1);
  CHECK(base[0].name == "base,seed=5");
  REQUIRE_THROWS_WITH(expand_grid({{"n_layer", {"2"}}}, {1}), Contains("must be section.key"));
}

TEST_CASE("seeds of a combination are averaged from each run's metrics.csv") {
  test::TempDir tmp;
  auto write_run = [&](const std::string& name, double final_val) {
    write_file_atomic(tmp.file(name + "/metrics.csv"),
                      "step,kind,loss,val_loss,val_ppl\n"
                      "10,train,3.0,,\n"
                      "10,eval,,2.5,12.18\n"
                      "20,train,2.0,,\n"
                      "20,eval,," +
                          std::to_string(final_val) + ",1\n");
  };
  write_run("a1", 2.0);
  write_run("a2", 2.2);
  write_run("b1", 1.5);
  std::vector<PlannedRun> runs = {{{"a1", "a", {}, 1}, tmp.file("a1")},
                                  {{"a2", "a", {}, 2}, tmp.file("a2")},
                                  {{"b1", "b", {}, 1}, tmp.file("b1")}};
  std::vector<RunCurve> curves;
  for (const auto& run : runs) curves.push_back(read_run_curve(run));
  CHECK(curves[0].eval_steps == std::vector<double>{10, 20});
  CHECK(curves[0].train_loss == std::vector<double>{3.0, 2.0});
  auto groups = summarize_groups(curves);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].group == "a");
  CHECK(groups[0].runs == 2);
  CHECK(groups[0].val_loss_mean == Approx(2.1));
  CHECK(groups[0].val_loss_std == Approx(std::sqrt(0.02)));  // sample std of {2.0, 2.2}
  CHECK(groups[0].val_ppl == Approx(std::exp(2.1)));
  CHECK(groups[1].val_loss_std == 0);
  write_file_atomic(tmp.file("a1/report.html"), "<html></html>");  // a1 got to an evaluation
  std::string table = write_ablation_report(runs, tmp.path());
  CHECK_THAT(table, Contains("2.1000"));
  const std::string html = read_file(tmp.file("report.html"));
  CHECK_THAT(html, Contains("<a href=\"a1/report.html\">a1</a>"));
  CHECK(html.find("b1/report.html") == std::string::npos);  // none written: no link
  CHECK_THAT(read_file(tmp.file("results.csv")), Contains("a,2,2.1000,0.1414,8.166"));
  CHECK_THAT(read_file(tmp.file("report.html")), Contains("<polyline"));
}

namespace {
pid_t spawn_ablate(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {GPT2_TEST_ABLATE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

TEST_CASE("a sweep killed mid-run resumes where it stopped when started again") {
  test::TempDir tmp;
  std::string text = read_file(test::data_path(nullptr, "tinyshakespeare/input.txt"));
  write_file_atomic(tmp.file("input.txt"), text.substr(0, 40000));
  auto tokenizer = test::run_cli("tokenizer train --type char --input " + tmp.file("input.txt") +
                                 " --out " + tmp.file("tok"));
  REQUIRE(tokenizer.exit_code == 0);
  auto prepare = test::run_cli("prepare -q -t " + tmp.file("tok") + " -i " + tmp.file("input.txt") +
                               " -o " + tmp.file("data"));
  INFO(prepare.output);
  REQUIRE(prepare.exit_code == 0);
  write_file_atomic(
      tmp.file("base.yaml"),
      "model: {vocab_size: 80, n_positions: 32, n_embd: 32, n_layer: 1, "
      "n_head: 2, bos_token_id: 0, eos_token_id: 0}\n"
      "tokenizer: {path: " +
          tmp.file("tok") +
          "}\n"
          "data: {train_shards: [" +
          tmp.file("data/train_*.bin") + "], val_shards: [" + tmp.file("data/val_*.bin") +
          "], batch_size: 4, block_size: 32}\n"
          "train: {max_steps: 60, lr: 1.0e-3, warmup_steps: 5, eval_interval: 20, "
          "eval_batches: 2, log_interval: 5, checkpoint_interval: 5, keep_last: 1}\n");
  write_file_atomic(tmp.file("sweep.yaml"), "ablation:\n  base: [" + tmp.file("base.yaml") +
                                                "]\n  seeds: [1]\n  out_dir: " + tmp.file("sweep") +
                                                "\naxes:\n  model.n_layer: [1, 2]\n");
  const std::string first_run = tmp.file("sweep/n_layer=1,seed=1");

  // Start the sweep and stop it as soon as the first run has a checkpoint.
  pid_t pid = spawn_ablate({tmp.file("sweep.yaml"), "--threads", "1"}, tmp.file("first.log"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (!fs::exists(first_run + "/latest/model.safetensors") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGTERM);
  int first_exit = test::wait_exit(pid);
  INFO(read_file(tmp.file("first.log")));
  REQUIRE(fs::exists(first_run + "/latest/model.safetensors"));
  CHECK(first_exit == 1);
  CHECK_FALSE(file_exists(done_marker(first_run)));

  pid = spawn_ablate({tmp.file("sweep.yaml"), "--dry-run"}, tmp.file("plan.log"));
  CHECK(test::wait_exit(pid) == 0);
  CHECK_THAT(read_file(tmp.file("plan.log")), Contains("n_layer=1,seed=1  resume"));

  pid = spawn_ablate({tmp.file("sweep.yaml"), "--threads", "1"}, tmp.file("second.log"));
  int second_exit = test::wait_exit(pid);
  INFO(read_file(tmp.file("second.log")));
  CHECK(second_exit == 0);
  CHECK(file_exists(done_marker(first_run)));
  CHECK(file_exists(done_marker(tmp.file("sweep/n_layer=2,seed=1"))));
  // The first run continued from its checkpoint (gpt2 train refuses a fresh start in a folder
  // with checkpoints) and logged each step once.
  std::string metrics = read_file(first_run + "/metrics.csv");
  CHECK_THAT(metrics, Contains("\n60,eval"));
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = metrics.find(needle); at != std::string::npos;
         at = metrics.find(needle, at + 1))
      ++n;
    return n;
  };
  CHECK(count("\n5,train") == 1);
  CHECK(count("\n20,eval") == 1);
  CHECK_THAT(read_file(tmp.file("sweep/results.csv")), Contains("n_layer=2,1,"));
}
