// Checkpoints in the Hugging Face layout: bit-identical round trips, and a clear error naming
// the file and the tensor for every kind of bad file.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "test_support.h"
#include "tiny_model_config.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

using TensorList = std::vector<std::pair<std::string, at::Tensor>>;

TensorList state_of(const GPT2LMHeadModelImpl& model) {
  TensorList tensors;
  for (const auto& item : model.named_parameters()) tensors.emplace_back(item.key(), item.value());
  return tensors;
}

// A model directory whose weights are `tensors` and whose config is `config`.
void write_dir(const std::string& dir, const ModelConfig& config, const TensorList& tensors) {
  write_file_atomic(dir + "/config.json", hf_config_json(config));
  write_safetensors(dir + "/model.safetensors", tensors);
}

void require_load_error(const std::string& dir, const std::string& fragment) {
  INFO("expecting an error containing: " << fragment);
  REQUIRE_THROWS_WITH(load_model_dir(dir), Contains(fragment));
}

}  // namespace

TEST_CASE("absurd model sizes from YAML are refused with the bytes needed, not allocated") {
  for (const char* set : {"model.vocab_size=2147483648", "model.n_positions=1000000000000",
                          "model.n_layer=1000000000"}) {
    INFO(set);
    ModelConfig config;
    CHECK_THROWS_WITH(load_config({section_ref(config)}, {{}, {set}}),
                      Contains("bytes (") && Contains("as float32, more than this machine's"));
  }
  auto info = test::run_cli("info --model tiny --set model.n_embd=1000000000 --set model.n_head=1");
  CHECK(info.exit_code == 1);
  CHECK_THAT(info.output, Contains("gpt2 info: error: config: the model") &&
                              Contains("n_embd 1000000000") && !Contains("internal error"));
}

TEST_CASE("a checkpoint written by save_model_dir loads back bit-identically") {
  test::TempDir tmp;
  at::manual_seed(7);
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.path());
  auto loaded = load_model_dir(tmp.path());
  auto original = state_of(*model);
  auto restored = state_of(*loaded);
  REQUIRE(original.size() == restored.size());
  for (size_t i = 0; i < original.size(); ++i) {
    INFO(original[i].first);
    CHECK(original[i].first == restored[i].first);
    CHECK(original[i].second.equal(restored[i].second));
  }
  // The stored names are Hugging Face's: prefixed, no lm_head (tied), Conv1D as (in, out).
  SafetensorsFile file(tmp.file("model.safetensors"));
  CHECK(file.contains("transformer.h.1.attn.c_attn.weight"));
  CHECK(file.entries().at("transformer.h.1.attn.c_attn.weight").shape ==
        std::vector<int64_t>{8, 24});
  CHECK(file.entries().at("transformer.h.0.mlp.c_fc.weight").shape == std::vector<int64_t>{8, 32});
  CHECK_FALSE(file.contains("lm_head.weight"));
  CHECK(file.metadata().at("format") == "pt");
  auto config = nlohmann::json::parse(read_file(tmp.file("config.json")));
  CHECK(config["model_type"] == "gpt2");
  CHECK(config["n_embd"] == 8);
  CHECK(config["architectures"][0] == "GPT2LMHeadModel");
}

TEST_CASE("bfloat16 and float16 weights are read and converted to float32") {
  test::TempDir tmp;
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.path(), at::kBFloat16);
  CHECK(
      SafetensorsFile(tmp.file("model.safetensors")).entries().at("transformer.wte.weight").dtype ==
      "BF16");
  auto loaded = load_model_dir(tmp.path());
  auto want = model->transformer->wte->weight.to(at::kBFloat16).to(at::kFloat);
  CHECK(loaded->transformer->wte->weight.equal(want));

  TensorList half;
  for (auto& [name, tensor] : state_of(*model)) half.emplace_back(name, tensor.to(at::kHalf));
  write_dir(tmp.path(), test::io_test_config(), half);
  auto from_half = load_model_dir(tmp.path());
  CHECK(from_half->transformer->wpe->weight.equal(
      model->transformer->wpe->weight.to(at::kHalf).to(at::kFloat)));
}

TEST_CASE("16-bit product weights: Conv1D and wte stored as asked, the rest float32") {
  test::TempDir tmp;
  GPT2LMHeadModel model(test::io_test_config());
  for (auto file_dtype : {at::kBFloat16, at::kHalf})
    for (auto weights : {at::kBFloat16, at::kHalf}) {
      CAPTURE(file_dtype, weights);
      TensorList stored;
      for (auto& [name, tensor] : state_of(*model))
        stored.emplace_back(name, tensor.to(file_dtype));
      write_dir(tmp.path(), test::io_test_config(), stored);
      auto loaded = load_model_dir(tmp.path(), test::io_test_config(), weights);
      for (const auto& item : loaded->named_parameters()) {
        const std::string& name = item.key();
        const at::Tensor& p = item.value();
        CAPTURE(name);
        const bool product = name == "transformer.wte.weight" ||
                             (name.find(".c_") != std::string::npos && ends_with(name, ".weight"));
        CHECK(p.scalar_type() == (product ? weights : at::kFloat));
        CHECK_FALSE((p.requires_grad() && product));
        // Each stored value converted once to the parameter's dtype.
        // A copy of the handle: named_parameters() returns a temporary dict, and a reference
        // into it dangles (the SIGSEGV once blamed on sharing the safetensors mapping).
        const at::Tensor want = model->named_parameters()[name];
        CHECK(p.equal(want.to(file_dtype).to(p.scalar_type())));
      }
    }
  // int8: quantised at load, per output column; dequantised within half a step of the value.
  save_model_dir(*model, tmp.path());
  auto int8 = load_model_dir(tmp.path(), test::io_test_config(), at::kChar);
  const auto& wte = int8->transformer->wte->weight;  // (V, C)
  REQUIRE(wte.scalar_type() == at::kChar);
  const auto& scales = int8->transformer->wte_scales;  // (V)
  REQUIRE(scales.defined());
  auto dequantised = wte.to(at::kFloat) * scales.unsqueeze(1);  // (V, C)
  auto step = scales.unsqueeze(1).expand_as(dequantised);
  const auto& original = model->transformer->wte->weight;
  auto bound = step * 0.5 * (1 + 1e-5) + original.abs() * 1e-6;  // (V, C)
  CHECK((dequantised - original).abs().le(bound).all().item<bool>());
  CHECK(int8->transformer->wpe->weight.scalar_type() == at::kFloat);
  // A float32 file and the default: float32 throughout.
  save_model_dir(*model, tmp.path());
  for (const auto& p : load_model_dir(tmp.path())->parameters())
    CHECK(p.scalar_type() == at::kFloat);
}

// load_model_dir maps model.safetensors once for the config check and the load. What it
// returns owns its memory: the mapping is read-only (a parameter aliasing it would fault on the
// first write) and is gone once the file object is (a view kept past it would fault on read).
TEST_CASE("a loaded model's weights are its own, and tensors read from a file keep its mapping") {
  test::TempDir tmp;
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.path(), at::kBFloat16);
  for (auto weights : {at::kFloat, at::kBFloat16, at::kHalf, at::kChar}) {
    CAPTURE(weights);
    auto loaded = load_model_dir(tmp.path(), test::io_test_config(), weights);
    // The file replaced under the loaded model (as a new checkpoint would): nothing changes.
    save_model_dir(*model, tmp.path(), at::kFloat);
    at::NoGradGuard no_grad;
    for (const auto& item : loaded->named_parameters()) {
      CAPTURE(item.key());
      at::Tensor p = item.value();
      const auto before = p.to(at::kFloat).clone();
      p.add_(1);  // writes every byte of the parameter's memory
      CHECK(p.to(at::kFloat).sub(before).abs().max().item<double>() > 0);
    }
    save_model_dir(*model, tmp.path(), at::kBFloat16);
  }
  // A tensor read from a file outlives the reader and the file it came from (pages past the
  // first, where a dropped mapping would fault).
  const auto values = at::arange(0, 8192, at::kFloat).to(at::kBFloat16);  // 16 KiB
  write_safetensors(tmp.file("w.safetensors"), {{"w", values}});
  at::Tensor view;
  {
    SafetensorsFile file(tmp.file("w.safetensors"));
    view = file.tensor("w");
  }
  write_safetensors(tmp.file("w.safetensors"), {{"w", values + 1}});
  REQUIRE(std::remove(tmp.file("w.safetensors").c_str()) == 0);
  CHECK(view.equal(values));
}

TEST_CASE("weights in their parameters' dtype load from the mapping: writes stay private") {
  test::TempDir tmp;
  at::manual_seed(5);
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.path(), at::kFloat);
  auto mapped = load_model_dir(tmp.path());  // LoadedMemory::mapping
  GPT2LMHeadModel copied(test::io_test_config(), ModelInit::uninitialised);
  load_weights(*copied, SafetensorsFile(tmp.path() + "/model.safetensors"), LoadedMemory::copy);
  const auto ids = at::tensor({3, 1, 4, 1, 5}, at::kLong).unsqueeze(0);  // (1, 5)
  {
    at::NoGradGuard no_grad;
    CHECK(at::equal(mapped->forward(ids).logits, copied->forward(ids).logits));
    for (const auto& item : mapped->named_parameters()) item.value().add_(1);
  }
  // The file and a fresh load are unchanged by the first model's writes.
  auto again = load_model_dir(tmp.path());
  for (const auto& item : again->named_parameters()) {
    CAPTURE(item.key());
    CHECK(at::equal(item.value(), copied->named_parameters()[item.key()]));
    CHECK(at::equal(mapped->named_parameters()[item.key()], item.value() + 1));
  }
}

TEST_CASE("unprefixed keys, attention buffers and a tied lm_head are accepted") {
  test::TempDir tmp;
  GPT2LMHeadModel model(test::io_test_config());
  TensorList tensors;
  for (auto& [name, tensor] : state_of(*model)) tensors.emplace_back(name.substr(12), tensor);
  tensors.emplace_back("h.0.attn.bias", at::ones({1, 1, 16, 16}));
  tensors.emplace_back("h.0.attn.masked_bias", at::full({}, -1e4));
  tensors.emplace_back("lm_head.weight", model->transformer->wte->weight);
  write_dir(tmp.path(), test::io_test_config(), tensors);
  auto loaded = load_model_dir(tmp.path());
  CHECK(loaded->transformer->h[1]->named_parameters()["mlp.c_proj.weight"].equal(
      model->transformer->h[1]->named_parameters()["mlp.c_proj.weight"]));
}

TEST_CASE("bad checkpoints are refused with the file, the tensor and the reason") {
  test::TempDir tmp;
  const std::string dir = tmp.path();
  const std::string weights = tmp.file("model.safetensors");
  GPT2LMHeadModel model(test::io_test_config());
  auto good = state_of(*model);

  SECTION("missing config.json or weights") {
    require_load_error(dir, "config.json is missing");
    write_file_atomic(tmp.file("config.json"), hf_config_json(test::io_test_config()));
    require_load_error(dir, "model.safetensors is missing");
  }
  SECTION("missing tensor") {
    TensorList tensors(good.begin(), good.end());
    tensors.erase(
        std::remove_if(tensors.begin(), tensors.end(),
                       [](auto& t) { return t.first == "transformer.h.1.mlp.c_fc.bias"; }),
        tensors.end());
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir, "missing tensor(s) transformer.h.1.mlp.c_fc.bias");
  }
  SECTION("unknown tensor") {
    TensorList tensors = good;
    tensors.emplace_back("transformer.h.0.attn.q_proj.weight", at::zeros({8, 8}));
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir, "unknown tensor(s) transformer.h.0.attn.q_proj.weight");
  }
  SECTION("wrong shape") {
    TensorList tensors = good;
    for (auto& t : tensors)
      if (t.first == "transformer.wpe.weight") t.second = at::zeros({15, 8});
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir, "n_positions and n_embd give wpe.weight the shape [16, 8] but " +
                                weights + " stores it as [15, 8]");
  }
  SECTION("config.json inconsistent with the weights, refused before the model is built") {
    ModelConfig wider = test::io_test_config();
    wider.n_embd = 16;
    write_dir(dir, wider, good);
    require_load_error(dir, tmp.file("config.json") +
                                ": vocab_size and n_embd give wte.weight the shape [50, 16] but " +
                                weights + " stores it as [50, 8]");
    ModelConfig longer = test::io_test_config();
    longer.n_positions = 32;
    write_dir(dir, longer, good);
    require_load_error(dir, "n_positions and n_embd give wpe.weight the shape [32, 8]");
    ModelConfig deeper = test::io_test_config();
    deeper.n_layer = 3;
    write_dir(dir, deeper, good);
    require_load_error(dir,
                       "config.json: n_layer is 3 but " + weights + " holds 2 transformer blocks");
    // A shape mismatch inside a block is still named by the weight loader.
    TensorList tensors = good;
    for (auto& t : tensors)
      if (t.first == "transformer.h.1.attn.c_proj.weight") t.second = at::zeros({8, 4});
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir,
                       "\"transformer.h.1.attn.c_proj.weight\" has shape [8, 4] but "
                       "config.json needs [8, 8]");
  }
  SECTION("absurd or fractional sizes in config.json are refused before any allocation") {
    write_safetensors(weights, good);
    write_file_atomic(tmp.file("config.json"), "{\"n_embd\": 64.5, \"n_head\": 2}");
    require_load_error(dir,
                       "config.json: field \"n_embd\" has value 64.5, which must be an integer");
    write_file_atomic(tmp.file("config.json"), "{\"vocab_size\": 2147483648}");
    require_load_error(dir,
                       "config.json: config: the model (vocab_size 2147483648, n_positions "
                       "1024, n_embd 768, n_layer 12) has");
    require_load_error(dir, "more than this machine's");
    write_file_atomic(tmp.file("config.json"), "{\"n_positions\": 1e12}");
    require_load_error(dir, "n_positions 1000000000000");
    write_file_atomic(tmp.file("config.json"), "{\"n_layer\": 1000000000}");
    require_load_error(dir, "n_layer 1000000000) has");
    write_file_atomic(tmp.file("config.json"), "{\"n_embd\": 1e9, \"n_head\": 1}");
    require_load_error(dir, "n_embd 1000000000");
  }
  SECTION("config.json with bad values") {
    write_safetensors(weights, good);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"n_embd": 8, "n_head": 3})",
         "config.json: config: model.n_head (3) must divide model.n_embd (8)"},
        {R"({"n_layer": "two"})", "field \"n_layer\" has value \"two\", which must be an integer"},
        {R"({"n_embd": 64.5})", "field \"n_embd\" has value 64.5, which must be an integer"},
        {R"({"model_type": "llama"})", "only GPT-2"},
        {R"({"n_layer": 2,)", "config.json: not valid JSON"},
        {"{\"n_layer\": 2,\n \"n_head\" 2}", "not valid JSON (parse error at line 2, column 11"},
        {R"({"activation_function": "relu"})",
         "field \"activation_function\" has value \"relu\", which must be one of"},
        {R"({"layer_norm_epsilon": 2147483648})",
         "field \"layer_norm_epsilon\" has value 2147483648"},
        {R"({"n_positions": 64, "n_ctx": 128})",
         "config.json: n_ctx (128) differs from n_positions (64)"},
        {R"({"torch_dtype": "abc"})", "config.json: torch_dtype \"abc\" is not one of float32"},
    };
    for (const auto& [config_json, error] : cases) {
      write_file_atomic(tmp.file("config.json"), config_json);
      require_load_error(dir, error);
    }
  }
  SECTION("untied lm_head") {
    TensorList tensors = good;
    tensors.emplace_back("lm_head.weight", at::zeros({50, 8}));
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir, "lm_head.weight differs from transformer.wte.weight");
  }
  SECTION("integer weights") {
    TensorList tensors = good;
    for (auto& t : tensors)
      if (t.first == "transformer.ln_f.bias") t.second = at::zeros({8}, at::kInt);
    write_dir(dir, test::io_test_config(), tensors);
    require_load_error(dir,
                       "tensor \"transformer.ln_f.bias\" has dtype I32; model weights must "
                       "be F32, F16 or BF16");
  }

  // Raw byte-level corruption of a valid file.
  write_dir(dir, test::io_test_config(), good);
  std::string bytes = read_file(weights);
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i)
    header_length = (header_length << 8) | static_cast<unsigned char>(bytes[i]);
  std::string header = bytes.substr(8, header_length);

  SECTION("truncated file") {
    write_file_atomic(weights, bytes.substr(0, bytes.size() - 100));
    require_load_error(dir, "model.safetensors: not a valid safetensors file: tensor");
    require_load_error(dir, "outside the data section");
    write_file_atomic(weights, bytes.substr(0, 5));
    require_load_error(dir, "file is 5 bytes, too short");
  }
  SECTION("corrupt header") {
    std::string corrupt = bytes;
    corrupt[8] = '[';
    corrupt[9] = '!';
    write_file_atomic(weights, corrupt);
    require_load_error(dir, "header is not valid JSON");
    std::string huge = bytes;
    huge[6] = '\x7f';
    write_file_atomic(weights, huge);
    require_load_error(dir, "exceeds the file size");
  }
  SECTION("unsupported dtype") {
    std::string changed = header;
    size_t at = changed.find("\"F32\"");
    REQUIRE(at != std::string::npos);
    changed.replace(at, 5, "\"F8_E4M3\"");
    changed.resize(header.size() + 4, ' ');
    std::string length(8, '\0');
    for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((changed.size() >> (8 * i)) & 0xff);
    write_file_atomic(weights, length + changed + bytes.substr(8 + header_length));
    require_load_error(dir, "unsupported dtype F8_E4M3");
  }
}
