// The safetensors reader enforces the format's rules, one test per rule, on hand-written files:
// each refused with the file and the tensor named. Non-finite weights are counted and reported.
#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "test_support.h"
#include "tiny_model_config.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

// A file of `header` (JSON text, as is) and `data_bytes` zero bytes of data.
std::string raw_file(const std::string& header, size_t data_bytes) {
  std::string length(8, '\0');
  for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return length + header + std::string(data_bytes, '\0');
}

struct Case {
  test::TempDir dir;
  std::string path = dir.file("model.safetensors");
  void write(const std::string& header, size_t data_bytes) {
    write_file_atomic(path, raw_file(header, data_bytes));
  }
  void refused(const std::string& header, size_t data_bytes, const std::string& fragment) {
    write(header, data_bytes);
    INFO(header);
    REQUIRE_THROWS_AS(SafetensorsFile(path), Error);
    CHECK_THROWS_WITH(SafetensorsFile(path), Contains(path) && Contains(fragment));
  }
};

const char* kA = R"("a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})";

}  // namespace

TEST_CASE("safetensors: a header length beyond the file is refused") {
  Case c;
  std::string bytes = raw_file(std::string("{") + kA + "}", 8);
  bytes[0] = static_cast<char>(0xff);  // header length 255 + ... > file
  write_file_atomic(c.path, bytes);
  CHECK_THROWS_WITH(SafetensorsFile(c.path), Contains(c.path) && Contains("exceeds the file size"));
}

TEST_CASE("safetensors: a header that is not JSON, or not an object, is refused") {
  Case c;
  c.refused("{\"a\": ", 0, "header is not valid JSON");
  c.refused("[1, 2]", 0, "header is not a JSON object");
}

TEST_CASE("safetensors: shapes must be lists of non-negative integers") {
  Case c;
  c.refused(R"({"a": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" has shape [2.5]; dimensions must be non-negative integers");
  c.refused(R"({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" has shape [-2]; dimensions must be non-negative integers");
  c.refused(R"({"a": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" has a shape that is not a list");
}

TEST_CASE("safetensors: data_offsets must be two non-negative integers") {
  Case c;
  c.refused(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8.0]}})", 8,
            "tensor \"a\" has data_offsets [0,8.0]; they must be two non-negative integers");
  c.refused(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}})", 8,
            "tensor \"a\" has data_offsets [-8,0]");
  c.refused(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4, 8]}})", 8,
            "tensor \"a\" has data_offsets [0,4,8]");
  c.refused(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8,
            "tensor \"a\" has data_offsets [8, 0] outside the data section");
}

TEST_CASE("safetensors: end - begin must equal the shape's elements times the dtype's size") {
  Case c;
  c.refused(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" holds 8 bytes but its shape [3] and dtype F32 need 12");
  c.refused(R"({"a": {"dtype": "F16", "shape": [4611686018427387904, 8], "data_offsets": [0, 8]}})",
            8,
            "tensor \"a\" holds 8 bytes but its shape [4611686018427387904,8] and dtype F16 need "
            "more than 2^64");
}

TEST_CASE("safetensors: tensors may not overlap or share bytes") {
  Case c;
  c.refused(
      std::string("{") + kA + R"(, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
      12, "tensor \"b\" (bytes 4 to 12) overlaps tensor \"a\"");
  c.refused(
      std::string("{") + kA + R"(, "b": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}})",
      8, "overlaps tensor \"a\"");
}

TEST_CASE("safetensors: no gaps between tensors and no unused trailing bytes") {
  Case c;
  c.refused(
      std::string("{") + kA + R"(, "b": {"dtype": "F32", "shape": [2], "data_offsets": [12, 20]}})",
      20, "tensor \"b\" starts at byte 12 but the data before it ends at byte 8");
  c.refused(std::string("{") + kA + "}", 12,
            "the tensors end at byte 8 of a data section of 12 bytes (4 unused trailing bytes)");
  c.refused(R"({"b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12,
            "tensor \"b\" starts at byte 4 but the data before it ends at byte 0");
}

TEST_CASE("safetensors: only known dtypes, and metadata of strings") {
  Case c;
  c.refused(R"({"a": {"dtype": "F8_E5M2", "shape": [8], "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" has unsupported dtype F8_E5M2");
  c.refused(R"({"a": {"dtype": 4, "shape": [2], "data_offsets": [0, 8]}})", 8,
            "tensor \"a\" has a dtype that is not a string");
  c.refused(std::string(R"({"__metadata__": {"format": 1}, )") + kA + "}", 8,
            "__metadata__ value \"format\" is not a string");
}

TEST_CASE("safetensors: a valid layout in any key order, with empty tensors, is accepted") {
  Case c;
  c.write(R"({"z": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
          R"( "e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [8, 8]},)"
          R"( "a": {"dtype": "U8", "shape": [4], "data_offsets": [8, 12]}})",
          12);
  SafetensorsFile file(c.path);
  CHECK(file.entries().size() == 3);
  CHECK(file.tensor("a").numel() == 4);
  CHECK(file.tensor("e").sizes() == at::IntArrayRef({0, 3}));
}

TEST_CASE("non-finite weights: counted per tensor, warned about on load, shown by gpt2 info") {
  test::TempDir dir;
  GPT2LMHeadModel model(test::tiny_model_config(50, 16, 8));
  {
    at::NoGradGuard no_grad;
    model->transformer->wte->weight[3][1] = NAN;
    model->transformer->wte->weight[4][2] = INFINITY;
    model->transformer->h[1]->named_parameters()["mlp.c_fc.bias"][0] = -INFINITY;
  }
  auto counts = nonfinite_parameters(*model);
  REQUIRE(counts.size() == 2);
  CHECK(describe_nonfinite(counts) ==
        "3 in transformer.wte.weight (2), transformer.h.1.mlp.c_fc.bias (1)");
  save_model_dir(*model, dir.file("model"));

  auto info = test::run_cli("info --model " + dir.file("model") + " --no-timing");
  INFO(info.output);
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.output,
             Contains("non-finite   3 in transformer.wte.weight (2), transformer.h.1.mlp.c_fc.bias "
                      "(1)"));
  // The load itself warned once, naming the file.
  CHECK_THAT(info.output, Contains("warning: " + dir.file("model/model.safetensors") +
                                   ": non-finite weights (NaN or inf): 3 in"));
  const std::string warning = "non-finite weights";
  size_t first = info.output.find(warning);
  CHECK(info.output.find(warning, first + 1) == std::string::npos);

  GPT2LMHeadModel clean(test::tiny_model_config(50, 16, 8));
  save_model_dir(*clean, dir.file("clean"));
  auto clean_info = test::run_cli("info --model " + dir.file("clean") + " --no-timing");
  CHECK_THAT(clean_info.output, Contains("non-finite   none") && !Contains("warning"));
}
