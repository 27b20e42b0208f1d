// gpt2 quantize's model directories: bf16, f16 and int8 products' weights written as they are
// held and loaded back as stored (runtime.weights auto) into the very model that converting at
// load gives, bit for bit; int8 files dequantised on request; incomplete int8 files refused with
// the file and the tensor.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "io/inference_model.h"
#include "io/safetensors.h"
#include "runtime/runtime.h"
#include "test_support.h"
#include "tiny_model_config.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

// Every parameter and int8 scale of `a` equal to `b`'s: same dtype, same bits.
void require_same_weights(GPT2LMHeadModelImpl& a, GPT2LMHeadModelImpl& b) {
  auto pb = b.named_parameters();
  for (const auto& item : a.named_parameters()) {
    CAPTURE(item.key());
    const at::Tensor other = pb[item.key()];
    REQUIRE(item.value().scalar_type() == other.scalar_type());
    CHECK(item.value().equal(other));
  }
  REQUIRE(a.transformer->wte_scales.defined() == b.transformer->wte_scales.defined());
  if (a.transformer->wte_scales.defined())
    CHECK(a.transformer->wte_scales.equal(b.transformer->wte_scales));
}

at::Tensor logits_of(GPT2LMHeadModelImpl& model) {
  at::NoGradGuard no_grad;
  const auto ids = at::tensor({3, 14, 15, 9, 26, 5}, at::kLong).view({1, -1});  // (1, 6)
  return model.forward(ids, {}).logits;                                         // (1, 6, V)
}

Conv1DImpl& first_c_fc(GPT2LMHeadModelImpl& model) {
  return *model.named_modules()["transformer.h.0.mlp.c_fc"]->as<Conv1DImpl>();
}

// A random model in <tmp>/f32 and its int8 quantisation in <tmp>/q; returns the int8 model.
GPT2LMHeadModel write_int8_dir(const test::TempDir& tmp) {
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.file("f32"));
  auto int8 = load_model_dir(tmp.file("f32"), test::io_test_config(), at::kChar);
  save_model_dir_as_stored(*int8, tmp.file("q"));
  return int8;
}

nlohmann::json config_json(const std::string& dir) {
  return nlohmann::json::parse(read_file(dir + "/config.json"));
}

}  // namespace

TEST_CASE("quantised directories load as stored into the model that converting at load gives") {
  test::TempDir tmp;
  GPT2LMHeadModel model(test::io_test_config());
  save_model_dir(*model, tmp.file("f32"));
  for (auto dtype : {at::kBFloat16, at::kHalf, at::kChar}) {
    CAPTURE(dtype);
    auto converted = load_model_dir(tmp.file("f32"), test::io_test_config(), dtype);
    REQUIRE(product_weights_of(*converted) == dtype);
    save_model_dir_as_stored(*converted, tmp.file("q"));
    // auto: the products' weights as the file stores them, the rest float32.
    auto loaded = load_inference_model(tmp.file("q"), {"", c10::ScalarType::Undefined});
    CHECK(product_weights_of(*loaded) == dtype);
    CHECK(loaded->transformer->wpe->weight.scalar_type() == at::kFloat);
    require_same_weights(*loaded, *converted);
    CHECK(logits_of(*loaded).equal(logits_of(*converted)));
    const auto json = config_json(tmp.file("q"));
    CHECK(json["torch_dtype"] == (dtype == at::kHalf       ? "float16"
                                  : dtype == at::kBFloat16 ? "bfloat16"
                                                           : "float32"));
    CHECK(json.contains("quantization_config") == (dtype == at::kChar));
    // The file stores the products' weights in the dtype (int8 with float32 scales), the rest
    // in float32.
    const SafetensorsFile file(tmp.file("q/model.safetensors"));
    const std::string product = dtype == at::kChar ? "I8" : dtype == at::kHalf ? "F16" : "BF16";
    for (const auto& [name, entry] : file.entries()) {
      CAPTURE(name);
      const bool is_product =
          name == "transformer.wte.weight" ||
          (name.find(".c_") != std::string::npos && name.substr(name.size() - 7) == ".weight");
      CHECK(entry.dtype == (is_product ? product : "F32"));
    }
  }
  // auto on a float32 directory: float32, as before.
  auto f32 = load_inference_model(tmp.file("f32"), {"", c10::ScalarType::Undefined});
  CHECK(product_weights_of(*f32) == at::kFloat);
}

TEST_CASE("an int8 directory asked for as floats is dequantised: values times their scales") {
  test::TempDir tmp;
  auto int8 = write_int8_dir(tmp);
  const auto& values = first_c_fc(*int8).weight;                  // (C, 4C)
  const auto& scales = first_c_fc(*int8).weight_scales;           // (4C)
  const auto want = values.to(at::kFloat) * scales.unsqueeze(0);  // (C, 4C)
  for (auto dtype : {at::kFloat, at::kHalf}) {
    CAPTURE(dtype);
    auto floats = load_model_dir(tmp.file("q"), test::io_test_config(), dtype);
    CHECK(product_weights_of(*floats) == dtype);
    CHECK_FALSE(floats->transformer->wte_scales.defined());
    const auto& c_fc = first_c_fc(*floats);
    CHECK(c_fc.weight.equal(want.to(dtype)));
    CHECK_FALSE(c_fc.weight_scales.defined());
    CHECK(c_fc.weight.requires_grad() == (dtype == at::kFloat));  // float32 trains again
  }
  // The whole model: float32 from the int8 file computes what the int8 model computes, to
  // float rounding (the kernels dequantise in registers; here the weights are dequantised once).
  auto floats = load_model_dir(tmp.file("q"), test::io_test_config(), at::kFloat);
  CHECK(at::allclose(logits_of(*floats), logits_of(*int8), 1e-5, 1e-5));
}

TEST_CASE("an int8 file that is not a whole gpt2 quantize output is refused, naming the tensor") {
  test::TempDir tmp;
  auto int8 = write_int8_dir(tmp);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  {
    SafetensorsFile file(tmp.file("q/model.safetensors"));
    for (const auto& [name, entry] : file.entries())
      tensors.emplace_back(name, file.tensor(name).clone());
  }
  const std::string c_attn = "transformer.h.1.attn.c_attn.weight";
  auto rewrite = [&](auto edit) {
    auto edited = tensors;
    edit(edited);
    write_file_atomic(tmp.file("bad/config.json"), read_file(tmp.file("q/config.json")));
    write_safetensors(tmp.file("bad/model.safetensors"), edited);
    return tmp.file("bad");
  };
  auto find = [&](auto& list, const std::string& name) -> at::Tensor& {
    for (auto& [key, tensor] : list)
      if (key == name) return tensor;
    FAIL("no tensor " << name);
    throw 0;
  };
  using List = std::vector<std::pair<std::string, at::Tensor>>;
  SECTION("scales missing") {
    auto dir = rewrite([&](List& l) {
      l.erase(std::remove_if(l.begin(), l.end(),
                             [&](const auto& t) { return t.first == c_attn + "_scale"; }),
              l.end());
    });
    REQUIRE_THROWS_WITH(load_model_dir(dir), Contains(c_attn + " is int8 but its scales " + c_attn +
                                                      "_scale are missing"));
  }
  SECTION("scales of the wrong shape") {
    auto dir = rewrite([&](List& l) { find(l, c_attn + "_scale") = at::ones({3}); });
    REQUIRE_THROWS_WITH(load_model_dir(dir),
                        Contains(c_attn + "_scale\" must be F32 of shape [24]"));
  }
  SECTION("one product weight float while the others are int8") {
    auto dir = rewrite([&](List& l) {
      find(l, c_attn) = at::zeros({8, 24});
      l.erase(std::remove_if(l.begin(), l.end(),
                             [&](const auto& t) { return t.first == c_attn + "_scale"; }),
              l.end());
    });
    REQUIRE_THROWS_WITH(load_model_dir(dir),
                        Contains(c_attn + " is not int8 while other product weights are"));
  }
  SECTION("a LayerNorm stored as int8") {
    auto dir =
        rewrite([&](List& l) { find(l, "transformer.ln_f.weight") = at::ones({8}, at::kChar); });
    REQUIRE_THROWS_WITH(load_model_dir(dir),
                        Contains("\"transformer.ln_f.weight\" is I8, but only the products'"));
  }
  SECTION("non-finite scales") {
    auto dir = rewrite([&](List& l) {
      find(l, c_attn + "_scale") = at::full({24}, std::numeric_limits<float>::quiet_NaN());
    });
    REQUIRE_THROWS_WITH(load_model_dir(dir), Contains("non-finite scales"));
  }
  SECTION("scales beside a float32 weight") {
    GPT2LMHeadModel plain(test::io_test_config());
    List l;
    for (const auto& item : plain->named_parameters()) l.emplace_back(item.key(), item.value());
    l.emplace_back(c_attn + "_scale", at::ones({24}));
    write_file_atomic(tmp.file("bad2/config.json"), hf_config_json(test::io_test_config()));
    write_safetensors(tmp.file("bad2/model.safetensors"), l);
    REQUIRE_THROWS_WITH(load_model_dir(tmp.file("bad2")), Contains("which is not stored as I8"));
  }
}

TEST_CASE("runtime.weights auto: as stored on the CPU with float32 activations, f32 otherwise") {
  RuntimeConfig config;
  config.device = "cpu";
  CHECK(config.weights == "auto");
  CHECK(apply_runtime(config).weights == c10::ScalarType::Undefined);
  config.dtype = "bfloat16";
  CHECK(apply_runtime(config).weights == c10::kFloat);
  config.dtype = "float32";
  config.weights = "int8";
  CHECK(apply_runtime(config).weights == c10::kChar);
}
