// The processor registry is the one list of logits processors: each entry's options struct
// declares its own fields, and GenerateConfig, --dump-config and `gpt2 generate --help` take
// them from there.
#include <catch2/catch.hpp>

#include <algorithm>

#include "config/loader.h"
#include "generate/generate_config.h"
#include "generate/processor_registry.h"
#include "generate/processors/dry.h"
#include "generate/processors/exponential_decay.h"
#include "generate/processors/min_new_tokens.h"
#include "generate/processors/top_k.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Contains;

namespace {

// The keys a visit() declares, and which of them are numbers or text (the ones with flags).
struct KeyCollector : FieldVisitor {
  std::vector<std::string> keys, scalar_keys;
  void field(const char* key, bool&, const char*) override { keys.push_back(key); }
  void field(const char* key, int64_t&, const char*, const Rule&) override { scalar(key); }
  void field(const char* key, double&, const char*, const Rule&) override { scalar(key); }
  void field(const char* key, std::string&, const char*, const Rule&) override { scalar(key); }
  void field(const char* key, std::vector<std::string>&, const char*, const Rule&) override {
    keys.push_back(key);
  }
  void field(const char* key, std::vector<int64_t>&, const char*, const Rule&) override {
    keys.push_back(key);
  }
  void field(const char* key, std::vector<double>&, const char*, const Rule&) override {
    keys.push_back(key);
  }
  void scalar(const char* key) {
    keys.push_back(key);
    scalar_keys.push_back(key);
  }
};

bool contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

TEST_CASE("processor registry: every processor's fields are GenerateConfig's, once") {
  GenerateConfig config;
  KeyCollector declared;
  config.visit(declared);
  size_t processor_fields = 0;
  for (const auto& entry : processor_entries()) {
    INFO(entry.name);
    KeyCollector own;
    entry.options()->visit(own);
    CHECK(!own.keys.empty());  // every processor has at least its on/off field
    for (const auto& key : own.keys) {
      INFO(key);
      CHECK(std::count(declared.keys.begin(), declared.keys.end(), key) == 1);
    }
    processor_fields += own.keys.size();
  }
  CHECK(processor_fields == 30);  // the fields GenerateConfig used to list by hand
  // The YAML keys are those of before: generate.top_k, generate.dry_base, ...
  for (const char* key : {"top_k", "top_p", "typical_p", "temperature", "dry_multiplier",
                          "dry_sequence_breakers", "banned_token_ids", "banned_words",
                          "sequence_bias", "renormalize_logits", "forced_eos_token_id"})
    CHECK(contains(declared.keys, key));

  // Typed access reads and writes the struct the fields are bound to; copies are deep.
  load_config({section_ref(config)},
              {{}, {"generate.strategy=top_k", "generate.top_k=7", "generate.dry_base=2.5"}});
  CHECK(config.processor<TopKOptions>().k == 7);
  CHECK(config.processor<DryOptions>().base == 2.5);
  GenerateConfig copy = config;
  copy.processor<TopKOptions>().k = 3;
  CHECK(config.processor<TopKOptions>().k == 7);
  CHECK_THAT(dump_config({section_ref(copy)}), Contains("top_k: 3"));
}

TEST_CASE("processor registry: validate() runs each processor's own checks") {
  GenerateConfig config;
  config.processor<MinNewTokensOptions>().count = 9;  // checked against the section's field
  config.max_new_tokens = 4;
  CHECK_THROWS_WITH(config.validate(),
                    Contains("min_new_tokens (9) must be <= max_new_tokens (4)"));
  config.max_new_tokens = 9;
  CHECK_NOTHROW(config.validate());
  config.processor<ExponentialDecayOptions>().start = 2;
  CHECK_THROWS_WITH(config.validate(), Contains("exponential_decay_factor != 1"));

  // Options of a processor that is not registered are a programming error, named as such.
  struct UnregisteredOptions {
    void visit(FieldVisitor&) {}
    void validate(const GenerateConfig&) const {}
  };
  CHECK_THROWS_WITH(config.processor<UnregisteredOptions>(), Contains("processor_registry.cpp"));
}

TEST_CASE("processor registry: gpt2 generate --help has a flag for each number and text field") {
  auto help = test::run_cli("generate --help");
  if (help.exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  REQUIRE(help.exit_code == 0);
  size_t flags = 0;
  for (const auto& entry : processor_entries()) {
    KeyCollector own;
    entry.options()->visit(own);
    for (auto flag : own.scalar_keys) {
      std::replace(flag.begin(), flag.end(), '_', '-');
      INFO(entry.name);
      CHECK_THAT(help.output, Contains("--" + flag + " "));
      ++flags;
    }
  }
  CHECK(flags == 21);
  CHECK_THAT(help.output, Contains("(generate.top_k)"));  // the flag names its field
}
