// gpt2 train's configuration in one pass: defaults < the model preset train.init_from names <
// --config files < --set, shown by --dump-config with every section it reads.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "core/files.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("gpt2 train layers defaults < init_from preset < --config < --set") {
  test::TempDir dir;
  // configs/model/tiny.yaml: n_positions 64, n_embd 64, n_layer 2, n_head 4, vocab_size 384.
  write_file_atomic(dir.file("run.yaml"),
                    "train: {init_from: tiny, max_steps: 500}\n"
                    "model: {n_layer: 3, n_head: 2}\n");
  auto result = test::run_cli("train --config " + dir.file("run.yaml") +
                              " --set model.n_head=8 --set model.n_positions=32 --dump-config");
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  const YAML::Node dump = YAML::Load(result.output);
  for (const char* section : {"runtime", "model", "tokenizer", "data", "train"})
    CHECK(dump[section].IsMap());
  const YAML::Node model = dump["model"];
  CHECK(model["n_embd"].as<int64_t>() == 64);       // the preset beats the default (768)
  CHECK(model["vocab_size"].as<int64_t>() == 384);  // the preset
  CHECK(model["n_layer"].as<int64_t>() == 3);       // the file beats the preset (2)
  CHECK(model["n_head"].as<int64_t>() == 8);        // --set beats the file (2) and preset (4)
  CHECK(model["n_positions"].as<int64_t>() == 32);  // --set beats the preset (64)
  CHECK(model["n_inner"].as<int64_t>() == 0);       // neither: the default
  CHECK(dump["train"]["max_steps"].as<int64_t>() == 500);
  CHECK(dump["train"]["init_from"].as<std::string>() == "tiny");

  // A preset name given by --set alone is layered the same way.
  auto by_set =
      test::run_cli("train --set train.init_from=tiny --set model.n_layer=5 --dump-config");
  INFO(by_set.output);
  REQUIRE(by_set.exit_code == 0);
  const YAML::Node second = YAML::Load(by_set.output)["model"];
  CHECK(second["n_embd"].as<int64_t>() == 64);
  CHECK(second["n_layer"].as<int64_t>() == 5);

  auto unknown = test::run_cli("train --set train.init_from=tinyy --dump-config");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output,
             Contains("no model preset named \"tinyy\"") && Contains("did you mean \"tiny\"?"));
}
