// gpt2 generate end to end: a tiny model directory with a character tokenizer, one streamed
// prompt, a JSONL batch, a YAML config, and a clear error for a bad value.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/files.h"
#include "core/strings.h"
#include "io/checkpoint.h"
#include "test_support.h"
#include "tiny_model_config.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;
using Catch::Contains;

namespace {

// A random tiny GPT-2 whose vocabulary is a character SentencePiece model.
void make_model_dir(const test::TempDir& dir) {
  write_file_atomic(dir.file("text.txt"),
                    "the quick brown fox jumps over the lazy dog.\n"
                    "ROMEO: what light through yonder window breaks?\n");
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.inputs = {dir.file("text.txt")};
  auto tokenizer = train_sentencepiece(options);
  ModelConfig config = test::tiny_model_config(tokenizer->vocab_size(), 64, 32);
  config.eos_token_id = config.bos_token_id = tokenizer->special_tokens().end_of_text;
  at::manual_seed(0);
  GPT2LMHeadModel model(config);
  save_model_dir(*model, dir.file("model"));
  save_tokenizer(*tokenizer, dir.file("model"));
}

}  // namespace

TEST_CASE("gpt2 generate: stream, batch file, config file and errors") {
  if (test::run_cli("generate --help").exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  test::TempDir dir;
  make_model_dir(dir);
  const std::string model = " --model " + dir.file("model") + " --threads 1";

  auto first = test::run_cli("generate" + model +
                             " --prompt 'the ' --strategy top_p --top-p 0.9 --temperature 0.8"
                             " --max-new-tokens 12 --seed 1");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(starts_with(first.output, "the "));
  CHECK_THAT(first.output, Contains("tokens, "));
  auto again = test::run_cli("generate" + model +
                             " --prompt 'the ' --strategy top_p --top-p 0.9 --temperature 0.8"
                             " --max-new-tokens 12 --seed 1");
  CHECK(again.output == first.output);  // seeded

  auto beams = test::run_cli("generate" + model + " --prompt 'the ' --config " +
                             test::source_dir() + "/configs/generate/beam.yaml --max-new-tokens 6");
  INFO(beams.output);
  CHECK(beams.exit_code == 0);
  CHECK_THAT(beams.output, Contains("=== 4 (score"));

  write_file_atomic(dir.file("in.jsonl"),
                    "{\"prompt\": \"the\", \"id\": 1}\n{\"prompt\": \"ROMEO:\"}\n");
  auto batch = test::run_cli("generate" + model + " --prompts " + dir.file("in.jsonl") + " --out " +
                             dir.file("out.jsonl") +
                             " --strategy sample --num-return-sequences 2 --max-new-tokens 5");
  INFO(batch.output);
  REQUIRE(batch.exit_code == 0);
  std::istringstream lines(read_file(dir.file("out.jsonl")));
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto object = nlohmann::json::parse(line);
    CHECK(object["completions"].size() == 2);
    CHECK(object["completions"][0]["tokens"].size() == object["completions"][0]["logprobs"].size());
    ++count;
  }
  CHECK(count == 2);

  auto bad = test::run_cli("generate" + model + " --prompt x --strategy top_p --top-p 1.5");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("generate.top_p") && Contains("must be in (0, 1]"));

  // An empty prompt starts a new document, as in a prompts file; an empty path is a mistake.
  auto unconditional =
      test::run_cli("generate" + model + " --prompt '' --max-new-tokens 4 --strategy greedy");
  INFO(unconditional.output);
  CHECK(unconditional.exit_code == 0);
  for (const char* flag : {"--adapter", "--prompts", "--trace", "--top-p"}) {
    auto empty = test::run_cli("generate" + model + " --prompt x " + flag + " ''");
    CHECK(empty.exit_code == 1);
    CHECK_THAT(empty.output, Contains(std::string(flag) + " was given an empty value"));
  }
  // The same rule in the command that encodes text: an empty text is no tokens, not an error.
  auto encode_empty = test::run_cli("tokenizer encode -t " + dir.file("model") + " ''");
  CHECK(encode_empty.exit_code == 0);
  CHECK(encode_empty.output == "\n");
  auto decode_empty = test::run_cli("tokenizer decode -t " + dir.file("model") + " ''");
  CHECK(decode_empty.exit_code == 1);
  CHECK_THAT(decode_empty.output, Contains("--arg was given an empty value"));
  auto out_with_prompt =
      test::run_cli("generate" + model + " --prompt x --out " + dir.file("o.jsonl"));
  CHECK(out_with_prompt.exit_code == 1);
  CHECK_THAT(out_with_prompt.output, Contains("--out writes the results of --prompts"));
  CHECK_FALSE(file_exists(dir.file("o.jsonl")));
  auto keep = test::run_cli("generate" + model + " --prompt x --min-tokens-to-keep 100000");
  CHECK(keep.exit_code == 1);
  CHECK_THAT(keep.output, Contains("generate.min_tokens_to_keep (100000) exceeds the vocabulary"));
  auto lookup = test::run_cli("generate" + model + " --prompt x --prompt-lookup -2");
  CHECK(lookup.exit_code == 1);
  CHECK_THAT(lookup.output, Contains("--prompt-lookup") && Contains("-2"));
}

TEST_CASE("gpt2 generate: beams stream their final text, --trace writes one line per sequence") {
  if (test::run_cli("generate --help").exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  test::TempDir dir;
  make_model_dir(dir);
  const std::string model = " --model " + dir.file("model") + " --threads 1 --ignore-eos";

  // --num-beams alone means beam search; one sequence streams, and its text is the best of the
  // same search printed without streaming.
  auto streamed = test::run_cli("generate" + model + " --prompt 'the ' --num-beams 3" +
                                " --max-new-tokens 8 --trace " + dir.file("trace.jsonl"));
  INFO(streamed.output);
  REQUIRE(streamed.exit_code == 0);
  CHECK_THAT(streamed.output, Contains("[8 tokens, length]"));
  auto listed = test::run_cli("generate" + model +
                              " --prompt 'the ' --num-beams 3 --num-return-sequences 2"
                              " --max-new-tokens 8");
  INFO(listed.output);
  REQUIRE(listed.exit_code == 0);
  auto first = listed.output.find("=== 1 (score");
  REQUIRE(first != std::string::npos);
  const auto start = listed.output.find('\n', first) + 1;
  const std::string best = listed.output.substr(start, listed.output.find("\n===", start) - start);
  CHECK(starts_with(streamed.output, best + "\n"));

  auto line = nlohmann::json::parse(read_file(dir.file("trace.jsonl")));
  CHECK(line["prompt"] == 0);
  CHECK(line["tokens"].size() == 8);
  for (const char* key : {"entropy", "kept", "nucleus", "rank", "probability"})
    CHECK(line[key].size() == 8);

  // DRY from its example config, breakers through the model's tokenizer.
  auto dry = test::run_cli("generate" + model + " --prompt 'the ' --config " + test::source_dir() +
                           "/configs/generate/dry.yaml --max-new-tokens 6");
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
}

TEST_CASE("gpt2 generate: Hugging Face options from flags and YAML, transition scores in JSONL") {
  if (test::run_cli("generate --help").exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  test::TempDir dir;
  make_model_dir(dir);
  const std::string model = " --model " + dir.file("model") + " --threads 1";

  // Every new field is in --dump-config; number fields have shorthand flags.
  auto dump = test::run_cli("generate" + model +
                            " --prompt x --strategy top_h --top-h 0.5 --min-tokens-to-keep 2"
                            " --forced-eos-token-id 0 --output-scores --dump-config");
  INFO(dump.output);
  REQUIRE(dump.exit_code == 0);
  for (const char* key :
       {"top_h: 0.5", "min_tokens_to_keep: 2", "forced_eos_token_id: 0",
        "sequence_bias:", "suppress_tokens:", "begin_suppress_tokens:", "exponential_decay_start:",
        "exponential_decay_factor:", "remove_invalid_values:", "renormalize_logits:",
        "repetition_penalty_prompt_ignore_length:", "repetition_penalty_normalize:",
        "output_scores: true"})
    CHECK_THAT(dump.output, Contains(key));

  // Beams with output_scores: each completion's transition scores sum to its score times
  // length^length_penalty (1 here), as Hugging Face's compute_transition_scores.
  write_file_atomic(dir.file("in.jsonl"), "{\"prompt\": \"the\"}\n");
  auto beams = test::run_cli("generate" + model + " --prompts " + dir.file("in.jsonl") + " --out " +
                             dir.file("out.jsonl") + " --config " + test::source_dir() +
                             "/configs/generate/renormalize_logits.yaml --max-new-tokens 5"
                             " --set generate.suppress_tokens=[]");
  INFO(beams.output);
  REQUIRE(beams.exit_code == 0);
  auto object = nlohmann::json::parse(read_file(dir.file("out.jsonl")));
  REQUIRE(object["completions"].size() == 1);
  for (const auto& completion : object["completions"]) {
    const auto& scores = completion["transition_scores"];
    REQUIRE(scores.size() == completion["tokens"].size());
    double sum = 0;
    for (const auto& s : scores) sum += s.get<double>();
    CHECK(sum / double(scores.size()) == Approx(completion["score"].get<double>()).epsilon(1e-5));
  }

  auto bad =
      test::run_cli("generate" + model + " --prompt x --set 'generate.sequence_bias=[\"1 2\"]'");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("sequence_bias") && Contains("must be ids = bias"));
}

TEST_CASE("gpt2 generate: speculative decoding and contrastive search from the command line",
          "[speculative][contrastive]") {
  if (test::run_cli("generate --help").exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  test::TempDir dir;
  make_model_dir(dir);
  const std::string model = " --model " + dir.file("model") + " --threads 1";

  const std::string prompt = " --prompt 'the quick brown fox, the quick' --max-new-tokens 16";
  auto text_of = [](const std::string& output) { return output.substr(0, output.find("\n[")); };
  auto greedy = test::run_cli("generate" + model + prompt);
  REQUIRE(greedy.exit_code == 0);
  // The model drafting for itself: the same text, every draft accepted.
  auto drafted = test::run_cli("generate" + model + prompt + " --draft-model " + dir.file("model") +
                               " --num-draft-tokens 3");
  INFO(drafted.output);
  REQUIRE(drafted.exit_code == 0);
  CHECK(text_of(drafted.output) == text_of(greedy.output));
  CHECK_THAT(drafted.output, Contains("[speculative: ") && Contains("(100.0%)"));
  auto lookup = test::run_cli("generate" + model + prompt + " --prompt-lookup 2");
  INFO(lookup.output);
  REQUIRE(lookup.exit_code == 0);
  CHECK(text_of(lookup.output) == text_of(greedy.output));
  CHECK_THAT(lookup.output, Contains("tokens per model pass"));
  auto dump = test::run_cli("generate" + model + prompt + " --prompt-lookup 2 --dump-config");
  CHECK_THAT(dump.output, Contains("prompt_lookup_ngram: 2") && Contains("draft_model:") &&
                              Contains("num_draft_tokens: 5") && Contains("penalty_alpha: 0.6"));

  auto contrastive = test::run_cli("generate" + model + prompt + " --config " + test::source_dir() +
                                   "/configs/generate/contrastive.yaml");
  INFO(contrastive.output);
  CHECK(contrastive.exit_code == 0);

  auto missing =
      test::run_cli("generate" + model + prompt + " --draft-model " + dir.file("nowhere"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Contains("generate.draft_model") && Contains("not a model directory"));
  auto beam = test::run_cli("generate" + model + prompt +
                            " --prompt-lookup 2 --strategy beam "
                            "--num-beams 2");
  CHECK(beam.exit_code == 1);
  CHECK_THAT(beam.output, Contains("greedy and sampling"));
}

TEST_CASE("gpt2 generate: --output-scores-top-k in JSONL, traces of speculative and contrastive",
          "[speculative][contrastive]") {
  if (test::run_cli("generate --help").exit_code == 127) {
    WARN("the gpt2 program is not built; skipping the CLI checks");
    return;
  }
  test::TempDir dir;
  make_model_dir(dir);
  const std::string model = " --model " + dir.file("model") + " --threads 1 --ignore-eos";
  write_file_atomic(dir.file("in.jsonl"), "{\"prompt\": \"the\"}\n");
  const std::string files =
      " --prompts " + dir.file("in.jsonl") + " --out " + dir.file("out.jsonl");

  // Greedy: the chosen token is the best entry of its step, with the same log-probability.
  auto greedy =
      test::run_cli("generate" + model + files + " --max-new-tokens 5 --output-scores-top-k 3");
  INFO(greedy.output);
  REQUIRE(greedy.exit_code == 0);
  auto completion = nlohmann::json::parse(read_file(dir.file("out.jsonl")))["completions"][0];
  REQUIRE(completion["top_logprobs"].size() == 5);
  CHECK(completion["transition_scores"].size() == 5);  // implied
  for (size_t i = 0; i < 5; ++i) {
    const auto& step = completion["top_logprobs"][i];
    CHECK(step["ids"].size() == 3);
    CHECK(step["ids"][0] == completion["tokens"][i]);
    CHECK(step["logprobs"][0].get<double>() ==
          Approx(completion["logprobs"][i].get<double>()).margin(1e-6));
  }
  // The example config (sampling, top_p): as many steps as tokens, none past the kept set.
  auto sampled = test::run_cli("generate" + model + files + " --config " + test::source_dir() +
                               "/configs/generate/output_scores_top_k.yaml --max-new-tokens 4");
  INFO(sampled.output);
  REQUIRE(sampled.exit_code == 0);
  completion = nlohmann::json::parse(read_file(dir.file("out.jsonl")))["completions"][0];
  REQUIRE(completion["top_logprobs"].size() == completion["tokens"].size());
  for (const auto& step : completion["top_logprobs"]) {
    CHECK(step["ids"].size() <= 5);
    CHECK(step["ids"].size() >= 1);
  }
  auto negative = test::run_cli("generate" + model + " --prompt x --output-scores-top-k -1");
  CHECK(negative.exit_code == 1);
  CHECK_THAT(negative.output, Contains("generate.output_scores_top_k"));

  // Traces: speculative blocks, contrastive candidates.
  auto speculative = test::run_cli("generate" + model + " --prompt 'the ' --max-new-tokens 6" +
                                   " --prompt-lookup 1 --trace " + dir.file("spec.jsonl"));
  INFO(speculative.output);
  REQUIRE(speculative.exit_code == 0);
  auto line = nlohmann::json::parse(read_file(dir.file("spec.jsonl")));
  CHECK(line["entropy"].size() == 6);
  REQUIRE(line["blocks"].size() >= 1);
  CHECK(line["blocks"][0].contains("draft"));
  auto contrastive =
      test::run_cli("generate" + model + " --prompt 'the ' --max-new-tokens 6" + " --config " +
                    test::source_dir() + "/configs/generate/contrastive.yaml --trace " +
                    dir.file("contrastive.jsonl"));
  INFO(contrastive.output);
  REQUIRE(contrastive.exit_code == 0);
  line = nlohmann::json::parse(read_file(dir.file("contrastive.jsonl")));
  CHECK(line["rank"].size() == 6);
  REQUIRE(line["candidates"].size() == 6);
  CHECK(line["candidates"][0]["candidates"].size() == 4);
}
