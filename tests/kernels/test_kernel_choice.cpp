// The measured choice between the row kernel and BLAS (kernel_choice.h): the margin rule on
// hand-set times, one measurement per shape and machine kept in the file, a corrupt or
// unwritable file, and matmul_rows following the choice it recorded.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "kernels/kernel_choice.h"
#include "kernels/matmul_rows.h"
#include "test_support.h"

using namespace gpt2;

namespace {

ProductShape shape_of(int64_t K, int64_t N, int64_t threads) {
  ProductShape shape;
  shape.K = K;
  shape.N = N;
  shape.threads = threads;
  shape.kernel = RowKernel::avx2;
  return shape;
}

// A measurement that hands back fixed times and counts its calls.
struct FakeTimer {
  ProductTimes times;
  int calls = 0;
  std::function<ProductTimes()> fn() {
    return [this] {
      ++calls;
      return times;
    };
  }
};

}  // namespace

TEST_CASE("BLAS is chosen only when it times faster by more than the margin") {
  // kBlasMargin = 1.05: BLAS must take under kernel_ms / 1.05.
  CHECK(path_for({10.0, 9.6}) == ProductPath::row_kernel);  // 9.6 * 1.05 = 10.08 > 10
  CHECK(path_for({10.0, 9.0}) == ProductPath::blas);        // 9.45 < 10
  CHECK(path_for({5.0, 6.0}) == ProductPath::row_kernel);
  CHECK(path_for({2.0, 2.0}) == ProductPath::row_kernel);  // a tie keeps the kernel
}

TEST_CASE("a shape is timed once, kept in the file, and each machine keeps its own") {
  test::TempDir dir;
  const std::string file = dir.file("cache/kernel_choice.json");  // the folder is created
  FakeTimer fast_kernel{{1.0, 2.0}}, fast_blas{{3.0, 1.0}};
  {
    KernelChoices choices(file, "machine A");
    CHECK(choices.choose(shape_of(768, 2304, 2), fast_kernel.fn()) == ProductPath::row_kernel);
    CHECK(choices.choose(shape_of(768, 2304, 2), fast_kernel.fn()) == ProductPath::row_kernel);
    CHECK(fast_kernel.calls == 1);
    // Another thread count is another shape.
    CHECK(choices.choose(shape_of(768, 2304, 1), fast_blas.fn()) == ProductPath::blas);
    CHECK(fast_blas.calls == 1);
  }
  FakeTimer never{{0, 0}};
  {
    KernelChoices again(file, "machine A");  // a later process on the same machine
    CHECK(again.size() == 2);
    CHECK(again.choose(shape_of(768, 2304, 2), never.fn()) == ProductPath::row_kernel);
    CHECK(again.choose(shape_of(768, 2304, 1), never.fn()) == ProductPath::blas);
    CHECK(never.calls == 0);
  }
  {
    KernelChoices other(file, "machine B");  // the same home directory on another machine
    CHECK(other.size() == 0);
    FakeTimer b_blas{{2.0, 1.0}};
    CHECK(other.choose(shape_of(768, 2304, 2), b_blas.fn()) == ProductPath::blas);
    CHECK(b_blas.calls == 1);
  }
  KernelChoices a_still(file, "machine A");
  CHECK(a_still.size() == 2);
  CHECK(a_still.choose(shape_of(768, 2304, 2), never.fn()) == ProductPath::row_kernel);
  CHECK(never.calls == 0);
  const auto json = nlohmann::json::parse(read_file(file));
  CHECK(json["machines"].size() == 2);
  CHECK(json["machines"]["machine B"]["avx2 in_out K768 N2304 few t2"]["choice"] == "blas");
  CHECK(json["machines"]["machine A"]["avx2 in_out K768 N2304 few t1"]["blas_ms"] == 1.0);
}

TEST_CASE("a corrupt kernel choice file is measured again and rewritten") {
  test::TempDir dir;
  const std::string file = dir.file("kernel_choice.json");
  write_file_atomic(file, "{\"format\": \"something else\", \"machines\": 3");
  KernelChoices choices(file, "machine A");
  CHECK(choices.size() == 0);
  FakeTimer timer{{1.0, 3.0}};
  CHECK(choices.choose(shape_of(64, 96, 1), timer.fn()) == ProductPath::row_kernel);
  CHECK(timer.calls == 1);
  const auto json = nlohmann::json::parse(read_file(file));
  CHECK(json["format"] == "gpt2 kernel choices 1");
  CHECK(json["machines"]["machine A"].size() == 1);
}

TEST_CASE("an unwritable kernel choice file keeps the choices in memory") {
  test::TempDir dir;
  write_file_atomic(dir.file("plain_file"), "x");
  // A folder cannot be made under a plain file.
  KernelChoices choices(dir.file("plain_file/kernel_choice.json"), "machine A");
  FakeTimer timer{{4.0, 1.0}};
  CHECK(choices.choose(shape_of(64, 96, 1), timer.fn()) == ProductPath::blas);
  CHECK(choices.choose(shape_of(64, 96, 1), timer.fn()) == ProductPath::blas);
  CHECK(timer.calls == 1);
}

TEST_CASE("matmul_rows times a float weight's shape once and follows the choice") {
  if (best_row_kernel() == RowKernel::none) return;  // no row kernel: BLAS always
  test::TempDir dir;
  const std::string file = dir.file("kernel_choice.json");
  ::setenv("GPT2_KERNEL_CHOICE", "measure", 1);
  ::setenv("GPT2_KERNEL_CACHE", file.c_str(), 1);
  REQUIRE(kernel_choice_mode() == KernelChoiceMode::measure);
  REQUIRE(process_kernel_choices().file() == file);
  at::set_num_threads(1);
  at::manual_seed(3);
  const auto rows = at::randn({1, 64});                                    // (1, K)
  const auto weight = at::randn({64, 96});                                 // (K, N)
  const auto bias = at::randn({96});                                       // (N)
  const auto out = matmul_rows(rows, weight, WeightLayout::in_out, bias);  // (1, N)

  const auto json = nlohmann::json::parse(read_file(file));
  const auto& machine = json["machines"][machine_description()];
  REQUIRE(machine.size() == 1);
  const std::string key =
      std::string(row_kernel_name(best_row_kernel())) + " in_out K64 N96 few t1";
  REQUIRE(machine.contains(key));
  const bool kernel = machine[key]["choice"] == "row_kernel";
  CHECK(uses_row_kernel(rows, weight) == kernel);
  const auto expected = matmul_rows(rows, weight, WeightLayout::in_out, bias,
                                    kernel ? best_row_kernel() : RowKernel::none);
  CHECK(at::equal(out, expected));

  // A 16-bit weight always takes the kernel: nothing is timed for it.
  const auto half = at::randn({64, 80}).to(at::kHalf);  // (K, N)
  CHECK(uses_row_kernel(rows, half));
  CHECK(process_kernel_choices().size() == 1);
}

TEST_CASE("an unknown GPT2_KERNEL_CHOICE is refused with the values it takes") {
  ::setenv("GPT2_KERNEL_CHOICE", "fastest", 1);
  CHECK_THROWS_WITH(kernel_choice_mode(),
                    Catch::Contains("GPT2_KERNEL_CHOICE=fastest") && Catch::Contains("rules"));
}
