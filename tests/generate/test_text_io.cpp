// Streaming text (whole UTF-8 characters, stop strings never shown) and the JSONL files.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "core/error.h"
#include "core/files.h"
#include "generate/jsonl_io.h"
#include "generate/text_stream.h"
#include "test_support.h"

using namespace gpt2;

namespace {

// Token i is kPieces[i]; "é" (C3 A9) is split over tokens 0 and 1.
const std::vector<std::string> kPieces = {"\xC3", "\xA9", "ab", "\n", "Q", ":", "x"};

std::string decode(const std::vector<int64_t>& ids) {
  std::string text;
  for (auto id : ids) text += kPieces[static_cast<size_t>(id)];
  return text;
}

}  // namespace

TEST_CASE("text streamer prints whole UTF-8 characters only") {
  CHECK(complete_utf8_prefix("ab\xC3") == 2);
  CHECK(complete_utf8_prefix("ab\xC3\xA9") == 4);
  CHECK(complete_utf8_prefix("\xE2\x82") == 0);
  CHECK(complete_utf8_prefix("\xE2\x82\xAC") == 3);
  TextStreamer streamer(decode, {});
  CHECK(streamer.push(2) == "ab");
  CHECK(streamer.push(0).empty());  // half a character
  CHECK(streamer.push(1) == "\xC3\xA9");
  CHECK(streamer.finish("ab\xC3\xA9") == "");
}

TEST_CASE("text streamer holds back what may start a stop string and never shows it") {
  TextStreamer streamer(decode, {"\nQ:"});
  CHECK(streamer.push(2) == "ab");
  CHECK(streamer.push(3).empty());    // "\n" could start "\nQ:"
  CHECK(streamer.push(4).empty());    // "\nQ" too
  CHECK(streamer.push(6) == "\nQx");  // it did not
  CHECK(streamer.push(3).empty());
  CHECK(streamer.push(4).empty());
  CHECK(streamer.push(5).empty());  // "\nQ:" complete: never printed
  CHECK(streamer.finish("ab\nQx") == "");
}

TEST_CASE("prompts JSONL in, results JSONL out, with other fields kept") {
  test::TempDir dir;
  write_file_atomic(dir.file("in.jsonl"),
                    "{\"prompt\": \"Hello\", \"id\": 7}\n\n{\"prompt\": \"\"}\n");
  auto records = read_prompts_jsonl(dir.file("in.jsonl"));
  REQUIRE(records.size() == 2);
  CHECK(records[0].prompt == "Hello");
  GenerationResult r{{5, 6}, {-0.5f, -0.25f}, " world", StopReason::stop_token, -0.75};
  CHECK(result_json_line(records[0], {r}) ==
        "{\"completions\":[{\"finish_reason\":\"stop_token\",\"logprobs\":[-0.5,-0.25],"
        "\"score\":-0.75,\"text\":\" world\",\"tokens\":[5,6]}],\"id\":7,\"prompt\":\"Hello\"}");
  // generate.output_scores adds the transition scores.
  r.transition_scores = {1.5f, -2.0f};
  CHECK(result_json_line(records[0], {r}, true) ==
        "{\"completions\":[{\"finish_reason\":\"stop_token\",\"logprobs\":[-0.5,-0.25],"
        "\"score\":-0.75,\"text\":\" world\",\"tokens\":[5,6],\"transition_scores\":[1.5,-2.0]}],"
        "\"id\":7,\"prompt\":\"Hello\"}");

  write_file_atomic(dir.file("bad.jsonl"), "{\"prompt\": \"a\"}\n{\"text\": \"b\"}\n");
  CHECK_THROWS_WITH(read_prompts_jsonl(dir.file("bad.jsonl")),
                    Catch::Contains("bad.jsonl:2") && Catch::Contains("\"prompt\""));
}

TEST_CASE("prompts JSONL: fields that are not read are warned about once per file") {
  test::TempDir dir;
  write_file_atomic(dir.file("in.jsonl"),
                    "{\"prompt\": \"a\", \"id\": 1, \"max_new_tokens\": 5}\n"
                    "{\"prompt\": \"b\", \"temperature\": 0.1, \"max_new_tokens\": 9}\n");
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int fd = ::open(dir.file("stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  auto records = read_prompts_jsonl(dir.file("in.jsonl"));
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  CHECK(records.size() == 2);
  const std::string warning = read_file(dir.file("stderr.txt"));
  CHECK(warning == "warning: " + dir.file("in.jsonl") +
                       ": field(s) max_new_tokens, temperature are not read (only \"prompt\" "
                       "is); they are copied to the output unchanged. Set decoding options on "
                       "the command line or in the config\n");
}
