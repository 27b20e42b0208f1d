// The row kernels (row_products.h) against a float64 product for every row count a pass
// takes (1-8, then chunks of 8), both layouts, sizes that leave partial vectors, strips and
// k blocks, with and without bias; each output is the same bits whatever rows share the call
// and however the columns are split; bf16/f16 weights give the float kernel's bits on the
// widened weight; and matmul_rows uses them where they apply.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "kernels/attention_rows.h"
#include "kernels/matmul_rows.h"
#include "kernels/row_products.h"
#include "kernels/trainable_rows.h"
#include "supported_kernels.h"

using namespace gpt2;
using gpt2::test::supported_kernels;

namespace {

// The kernel's (M, N) result for rows (M, K) and a weight in `layout`, columns computed in
// the given pieces [cuts[i], cuts[i + 1]).
at::Tensor kernel_result(RowKernel kernel, const at::Tensor& rows, const at::Tensor& weight,
                         WeightLayout layout, const at::Tensor& bias,
                         const std::vector<int64_t>& cuts) {
  const int64_t N = layout == WeightLayout::in_out ? weight.size(1) : weight.size(0);
  auto out = at::full({rows.size(0), N}, 12345.0f);  // (M, N): every element must be written
  REQUIRE(weight.stride(1) == 1);
  const RowProduct p = row_product_of(rows, weight, layout, bias, out);
  for (size_t i = 0; i + 1 < cuts.size(); ++i) row_products(kernel, p, cuts[i], cuts[i + 1]);
  return out;
}

}  // namespace

TEST_CASE("row kernels equal a float64 product, bit-identical across batches and splits") {
  const auto kernels = supported_kernels();
  if (kernels.empty()) {
    WARN("this CPU has no row kernel (needs AVX2 + FMA); matmul_rows uses BLAS");
    return;
  }
  at::manual_seed(7);
  for (RowKernel kernel : kernels)
    for (auto layout : {WeightLayout::in_out, WeightLayout::out_in})
      for (int64_t K : {5, 40, 300})  // 300: three k blocks, the last partial; not a multiple of 16
        for (int64_t N : {1, 21, 200})
          for (bool with_bias : {false, true}) {
            CAPTURE(row_kernel_name(kernel), int(layout), K, N, with_bias);
            auto rows = at::randn({19, K});  // (19, K): chunks of 8, 8 and 3
            // A block of a wider tensor, as a head's rows of the KV cache: row stride > width.
            auto weight = layout == WeightLayout::in_out ? at::randn({K, N + 5}).narrow(1, 2, N)
                                                         : at::randn({N, K + 5}).narrow(1, 2, K);
            auto bias = with_bias ? at::randn({N}) : at::Tensor();
            auto w_in_out = layout == WeightLayout::in_out ? weight : weight.t();  // (K, N)
            for (int64_t M : {1, 2, 3, 4, 5, 6, 7, 8, 19}) {
              CAPTURE(M);
              auto r = rows.narrow(0, 0, M).contiguous();  // (M, K)
              auto r64 = r.to(at::kDouble), w64 = w_in_out.to(at::kDouble);
              auto expected = at::mm(r64, w64);               // (M, N)
              auto magnitude = at::mm(r64.abs(), w64.abs());  // (M, N): sum of |terms|
              if (with_bias) {
                expected += bias.to(at::kDouble);
                magnitude += bias.to(at::kDouble).abs();
              }
              auto got = kernel_result(kernel, r, weight, layout, bias, {0, N});
              // Any float summation order of K + 1 terms is within (K + 1) u sum |terms| of
              // the exact sum (u = 2^-24, unit roundoff); float64 stands in for exact.
              const double u = 1.0 / (1 << 24);
              CHECK(((got.to(at::kDouble) - expected).abs() <= magnitude * (K + 1) * u)
                        .all()
                        .item<bool>());
              // Each row alone gives the same bits as in the batch.
              for (int64_t m = 0; m < M; ++m)
                CHECK(at::equal(kernel_result(kernel, r.narrow(0, m, 1).contiguous(), weight,
                                              layout, bias, {0, N}),
                                got.narrow(0, m, 1)));
              // Columns split into pieces (as over threads) give the same bits too.
              CHECK(at::equal(kernel_result(kernel, r, weight, layout, bias, {0, N / 3, N}), got));
              // So do rows read from a block of a wider tensor (row stride > K).
              auto wide_rows = at::zeros({M, K + 3}).narrow(1, 1, K).copy_(r);  // (M, K)
              CHECK(at::equal(kernel_result(kernel, wide_rows, weight, layout, bias, {0, N}), got));
            }
          }
}

TEST_CASE("row kernels read bf16/f16 weights: the float kernel's bits on the widened weight") {
  const auto kernels = supported_kernels();
  if (kernels.empty()) {
    WARN("this CPU has no row kernel (needs AVX2 + FMA + F16C); matmul_rows uses BLAS");
    return;
  }
  at::manual_seed(17);
  const double u = 1.0 / (1 << 24);
  for (RowKernel kernel : kernels)
    for (auto dtype : {at::kBFloat16, at::kHalf})
      for (auto layout : {WeightLayout::in_out, WeightLayout::out_in})
        for (int64_t K : {5, 40, 300})
          for (int64_t N : {1, 21, 200}) {
            CAPTURE(row_kernel_name(kernel), dtype, int(layout), K, N);
            auto rows = at::randn({9, K});  // (9, K): one pass of 8, then 1
            // A block of a wider 16-bit tensor (row stride > width), as the fp32 test.
            auto weight = layout == WeightLayout::in_out
                              ? at::randn({K, N + 5}).to(dtype).narrow(1, 2, N)
                              : at::randn({N, K + 5}).to(dtype).narrow(1, 2, K);
            auto widened = weight.to(at::kFloat);  // exact: every bf16/f16 value is a float
            auto bias = at::randn({N});
            auto w64 = (layout == WeightLayout::in_out ? widened : widened.t()).to(at::kDouble);
            for (int64_t M = 1; M <= 9; ++M) {
              CAPTURE(M);
              auto r = rows.narrow(0, 0, M).contiguous();  // (M, K)
              auto r64 = r.to(at::kDouble);
              // float64 product of the rounded weights; its error bound as for fp32 (K + 1
              // terms with the bias, u = 2^-24), widening adding no error.
              auto expected = at::mm(r64, w64) + bias.to(at::kDouble);                     // (M, N)
              auto magnitude = at::mm(r64.abs(), w64.abs()) + bias.to(at::kDouble).abs();  // (M, N)
              auto got = kernel_result(kernel, r, weight, layout, bias, {0, N});
              CHECK(((got.to(at::kDouble) - expected).abs() <= magnitude * (K + 1) * u)
                        .all()
                        .item<bool>());
              // Same summation order as the float kernel: the same bits.
              CHECK(at::equal(kernel_result(kernel, r, widened, layout, bias, {0, N}), got));
              // Batch invariance and column splits, as for fp32.
              for (int64_t m = 0; m < M; ++m)
                CHECK(at::equal(kernel_result(kernel, r.narrow(0, m, 1).contiguous(), weight,
                                              layout, bias, {0, N}),
                                got.narrow(0, m, 1)));
              CHECK(at::equal(kernel_result(kernel, r, weight, layout, bias, {0, N / 3, N}), got));
            }
          }
}

TEST_CASE("matmul_rows on a bf16/f16 weight: the kernel for few rows, widened BLAS for many") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("no row kernel on this CPU or GPT2_ROW_KERNELS=0");
    return;
  }
  const int saved = at::get_num_threads();
  c10::InferenceMode inference;
  at::manual_seed(19);
  const double u = 1.0 / (1 << 24);
  for (auto dtype : {at::kBFloat16, at::kHalf})
    for (int threads : {1, 2}) {
      at::set_num_threads(threads);
      // K = 300: the in_out product is summed in two halves (cut at 144).
      const int64_t K = 300, N = 1000;
      auto weight = at::randn({K, N}).to(dtype);     // (K, N)
      auto embedding = at::randn({N, K}).to(dtype);  // (N, K)
      auto bias = at::randn({N});                    // (N)
      auto wide = weight.to(at::kFloat), wide_e = embedding.to(at::kFloat);
      for (int64_t M : {int64_t(1), int64_t(8), kMaxKernelRows + 1}) {
        CAPTURE(dtype, threads, M);
        auto rows = at::randn({M, K});  // (M, K)
        // 257 rows re-read a 300 x 1000 16-bit weight 33 times (19.8 MB): still the kernel,
        // which the re-read budget counts in 2-byte elements.
        CHECK(uses_row_kernel(rows, weight));
        CHECK(at::equal(matmul_rows(rows, weight, WeightLayout::in_out, bias),
                        matmul_rows(rows, wide, WeightLayout::in_out, bias)));
        CHECK(at::equal(matmul_rows(rows, embedding, WeightLayout::out_in, {}),
                        matmul_rows(rows, wide_e, WeightLayout::out_in, {})));
        // BLAS (no kernel): the weight widened, within the float bound of the float64 product.
        auto r64 = rows.to(at::kDouble), w64 = wide.to(at::kDouble);
        auto expected = at::mm(r64, w64) + bias.to(at::kDouble);                     // (M, N)
        auto magnitude = at::mm(r64.abs(), w64.abs()) + bias.to(at::kDouble).abs();  // (M, N)
        auto blas = matmul_rows(rows, weight, WeightLayout::in_out, bias, RowKernel::none);
        CHECK(blas.scalar_type() == at::kFloat);
        CHECK(((blas.to(at::kDouble) - expected).abs() <= magnitude * (K + 2) * u)
                  .all()
                  .item<bool>());
      }
      // Past the re-read budget (2049 rows x 600 KB = 154 MB): BLAS on the widened weight.
      auto many = at::randn({2049, K});  // (2049, K)
      CHECK_FALSE(uses_row_kernel(many, weight));
      CHECK(at::allclose(matmul_rows(many, weight, WeightLayout::in_out, bias),
                         at::addmm(bias, many, wide), 1e-4, 1e-4));
      CHECK(at::allclose(matmul_rows(many, embedding, WeightLayout::out_in, {}),
                         at::linear(many, wide_e), 1e-4, 1e-4));
    }
  at::set_num_threads(saved);
}

TEST_CASE("int8 quantisation: per-column scales, every element within scale / 2") {
  at::manual_seed(23);
  for (auto layout : {WeightLayout::in_out, WeightLayout::out_in}) {
    CAPTURE(int(layout));
    auto w = at::randn({40, 30});  // in_out (K, N) or out_in (N, K)
    if (layout == WeightLayout::in_out)
      w.select(1, 3).zero_();  // an all-zero column
    else
      w.select(0, 3).zero_();
    const auto q = quantize_int8(w, layout);
    const int64_t N = layout == WeightLayout::in_out ? w.size(1) : w.size(0);
    REQUIRE(q.values.scalar_type() == at::kChar);
    REQUIRE(q.values.sizes() == w.sizes());
    REQUIRE(q.scales.sizes() == at::IntArrayRef{N});
    const int k_dim = layout == WeightLayout::in_out ? 0 : 1;
    auto s = k_dim == 0 ? q.scales.unsqueeze(0) : q.scales.unsqueeze(1);
    // Round to nearest: within half a step, plus float rounding of W / s and q s.
    auto error = (dequantize(q) - w).abs();
    CHECK((error <= s * 0.5 * (1 + 1e-5) + w.abs() * 1e-6).all().item<bool>());
    CHECK(q.values.abs().le(127).all().item<bool>());
    // Symmetric, scaled to the column's largest |W|: that element is +-127.
    auto peak = q.values.to(at::kInt).abs().amax(k_dim);  // (N)
    CHECK(peak.narrow(0, 0, 3).eq(127).all().item<bool>());
    CHECK(peak[3].item<int>() == 0);
    CHECK(q.scales[3].item<float>() == 1.0f);
  }
}

TEST_CASE("row kernels read int8 weights with per-column scales, against float64") {
  const auto kernels = supported_kernels();
  if (kernels.empty()) {
    WARN("this CPU has no row kernel (needs AVX2 + FMA + F16C); matmul_rows uses BLAS");
    return;
  }
  at::manual_seed(29);
  const double u = 1.0 / (1 << 24);
  auto result = [](RowKernel kernel, const at::Tensor& rows, const at::Tensor& q,
                   const at::Tensor& scales, WeightLayout layout, const at::Tensor& bias,
                   const std::vector<int64_t>& cuts) {
    auto out = at::full({rows.size(0), scales.size(0)}, 12345.0f);  // (M, N)
    RowProduct p = row_product_of(rows, q, layout, bias, out);
    REQUIRE(p.weight_type == WeightType::int8);
    p.weight_scales = scales.data_ptr<float>();
    for (size_t i = 0; i + 1 < cuts.size(); ++i) row_products(kernel, p, cuts[i], cuts[i + 1]);
    return out;
  };
  for (RowKernel kernel : kernels)
    for (auto layout : {WeightLayout::in_out, WeightLayout::out_in})
      for (int64_t K : {5, 40, 300})
        for (int64_t N : {1, 21, 200}) {
          CAPTURE(row_kernel_name(kernel), int(layout), K, N);
          auto rows = at::randn({9, K});  // (9, K)
          auto q = (layout == WeightLayout::in_out ? at::randint(-127, 128, {K, N + 5})
                                                   : at::randint(-127, 128, {N, K + 5}))
                       .to(at::kChar)
                       .narrow(1, 2, layout == WeightLayout::in_out ? N : K);
          auto scales = at::rand({N}) * 0.01 + 1e-3;  // (N)
          auto bias = at::randn({N});
          auto s64 = scales.to(at::kDouble);
          auto w64 = layout == WeightLayout::in_out ? q.to(at::kDouble) * s64.unsqueeze(0)
                                                    : (q.to(at::kDouble) * s64.unsqueeze(1)).t();
          // K products, one rounding per 128-row block for the scale (in_out) or one at the
          // end (out_in), the bias: within (K + ceil(K / 128) + 2) u sum |terms|.
          const double bound = (K + (K + 127) / 128 + 2) * u;
          for (int64_t M = 1; M <= 9; ++M) {
            CAPTURE(M);
            auto r = rows.narrow(0, 0, M).contiguous();  // (M, K)
            auto r64 = r.to(at::kDouble);
            auto expected = at::mm(r64, w64) + bias.to(at::kDouble);                     // (M, N)
            auto magnitude = at::mm(r64.abs(), w64.abs()) + bias.to(at::kDouble).abs();  // (M, N)
            auto got = result(kernel, r, q, scales, layout, bias, {0, N});
            CHECK(((got.to(at::kDouble) - expected).abs() <= magnitude * bound).all().item<bool>());
            for (int64_t m = 0; m < M; ++m)
              CHECK(at::equal(
                  result(kernel, r.narrow(0, m, 1).contiguous(), q, scales, layout, bias, {0, N}),
                  got.narrow(0, m, 1)));
            CHECK(at::equal(result(kernel, r, q, scales, layout, bias, {0, N / 3, N}), got));
          }
        }
}

TEST_CASE("matmul_rows on an int8 weight: the kernel or dequantised BLAS, both near float64") {
  c10::InferenceMode inference;
  at::manual_seed(31);
  const double u = 1.0 / (1 << 24);
  const int64_t K = 300, N = 200;
  for (auto layout : {WeightLayout::in_out, WeightLayout::out_in}) {
    const auto q = quantize_int8(
        layout == WeightLayout::in_out ? at::randn({K, N}) : at::randn({N, K}), layout);
    auto w64 = dequantize(q).to(at::kDouble);
    if (layout == WeightLayout::out_in) w64 = w64.t();  // (K, N)
    auto bias = at::randn({N});
    for (int64_t M : {1, 8, 300}) {
      CAPTURE(int(layout), M);
      auto rows = at::randn({M, K});  // (M, K)
      auto r64 = rows.to(at::kDouble);
      auto expected = at::mm(r64, w64) + bias.to(at::kDouble);                     // (M, N)
      auto magnitude = at::mm(r64.abs(), w64.abs()) + bias.to(at::kDouble).abs();  // (M, N)
      // One more rounding each for the halves of K and the dequantised weight (BLAS).
      const double bound = (K + 3 + 3) * u;
      for (RowKernel kernel : {best_row_kernel(), RowKernel::none}) {
        CAPTURE(row_kernel_name(kernel));
        auto got = matmul_rows(rows, q, bias, kernel);
        CHECK(((got.to(at::kDouble) - expected).abs() <= magnitude * bound).all().item<bool>());
      }
    }
  }
}

TEST_CASE("matmul_rows takes the row kernel for a few float rows without a graph") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("no row kernel on this CPU or GPT2_ROW_KERNELS=0");
    return;
  }
  const int threads = GENERATE(1, 2, 3);
  const int saved = at::get_num_threads();
  at::set_num_threads(threads);
  at::manual_seed(5);
  auto weight = at::randn({64, 300}).requires_grad_();  // (K, N), a parameter
  auto bias = at::randn({300}).requires_grad_();        // (N)
  auto embedding = at::randn({300, 64});                // (N, K)
  for (int64_t M : {int64_t(1), int64_t(8), int64_t(33), kMaxKernelRows + 1}) {
    CAPTURE(threads, M);
    auto rows = at::randn({M, 64});  // (M, K)
    {
      // A graph to record: the kernel has no gradient, so BLAS is used.
      CHECK_FALSE(uses_row_kernel(rows, weight));
      auto out = matmul_rows(rows, weight, WeightLayout::in_out, bias);
      CHECK(out.requires_grad());
    }
    c10::InferenceMode inference;
    CHECK(uses_row_kernel(rows, weight));  // a small weight: re-read from the cache
    CHECK(uses_row_kernel(rows.to(at::kDouble), weight.to(at::kDouble)) == false);
    auto blas = matmul_rows(rows, weight, WeightLayout::in_out, bias, RowKernel::none);
    CHECK(at::allclose(matmul_rows(rows, weight, WeightLayout::in_out, bias), blas, 1e-5, 1e-5));
    CHECK(at::allclose(matmul_rows(rows, embedding, WeightLayout::out_in, {}),
                       at::linear(rows, embedding), 1e-5, 1e-5));
  }
  at::set_num_threads(saved);
}

TEST_CASE(
    "matmul_rows sums a tall in_out weight in two halves, same bits at any row/thread count") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("no row kernel on this CPU or GPT2_ROW_KERNELS=0");
    return;
  }
  const int saved = at::get_num_threads();
  c10::InferenceMode inference;
  at::manual_seed(11);
  const double u = 1.0 / (1 << 24);
  // 255: one whole sum; 300 and 512: cut at 144 and 256 (half, down to a multiple of 16).
  for (int64_t K : {255, 300, 512}) {
    CAPTURE(K);
    const int64_t N = 200, cut = K >= 256 ? K / 2 / 16 * 16 : 0;
    auto rows = at::randn({8, K});  // (8, K)
    auto weight = at::randn({K, N});
    auto bias = at::randn({N});
    auto w64 = weight.to(at::kDouble), r64 = rows.to(at::kDouble);
    auto expected = at::mm(r64, w64) + bias.to(at::kDouble);                     // (8, N)
    auto magnitude = at::mm(r64.abs(), w64.abs()) + bias.to(at::kDouble).abs();  // (8, N)
    at::set_num_threads(1);
    auto one_thread = matmul_rows(rows, weight, WeightLayout::in_out, bias);  // (8, N)
    // One more rounding than a single sum: the two halves' sums added.
    CHECK(((one_thread.to(at::kDouble) - expected).abs() <= magnitude * (K + 2) * u)
              .all()
              .item<bool>());
    // The documented order: (bias + lower rows) + upper rows, each half by the kernel.
    const RowKernel kernel = best_row_kernel();
    auto halves = cut == 0 ? kernel_result(kernel, rows, weight, WeightLayout::in_out, bias, {0, N})
                           : kernel_result(kernel, rows.narrow(1, 0, cut), weight.narrow(0, 0, cut),
                                           WeightLayout::in_out, bias, {0, N}) +
                                 kernel_result(kernel, rows.narrow(1, cut, K - cut),
                                               weight.narrow(0, cut, K - cut), WeightLayout::in_out,
                                               {}, {0, N});
    CHECK(at::equal(one_thread, halves));
    for (int threads : {2, 3, 4}) {
      CAPTURE(threads);
      at::set_num_threads(threads);
      CHECK(at::equal(matmul_rows(rows, weight, WeightLayout::in_out, bias), one_thread));
      for (int64_t m : {0, 7})  // a row alone
        CHECK(at::equal(matmul_rows(rows.narrow(0, m, 1), weight, WeightLayout::in_out, bias),
                        one_thread.narrow(0, m, 1)));
    }
    // out_in (the LM head) keeps one sum over the whole of K.
    auto embedding = weight.t().contiguous();  // (N, K)
    at::set_num_threads(2);
    CHECK(at::equal(matmul_rows(rows, embedding, WeightLayout::out_in, {}),
                    kernel_result(kernel, rows, embedding, WeightLayout::out_in, {}, {0, N})));
  }
  at::set_num_threads(saved);
}

TEST_CASE("the row kernel takes many rows only while the weight's re-reads stay small") {
  CHECK(row_kernel_takes_size(kMaxKernelRows, int64_t(1) << 30));  // 4 GiB weight, few rows
  CHECK_FALSE(row_kernel_takes_size(kMaxKernelRows + 1, int64_t(1) << 30));
  // 1024 rows = 128 passes: a 128 KiB weight re-read is 16 MiB, GPT-2's c_fc (9 MiB) 1.2 GiB.
  CHECK(row_kernel_takes_size(1024, 32 * 1024));
  CHECK_FALSE(row_kernel_takes_size(1024, 768 * 3072));
  CHECK(row_kernel_takes_size(1024, kMaxKernelRereadBytes / 4 / 128));
  CHECK_FALSE(row_kernel_takes_size(1024, kMaxKernelRereadBytes / 4 / 128 + 1));
  // A 16-bit weight is re-read at 2 bytes an element: twice the elements fit.
  CHECK(row_kernel_takes_size(1024, kMaxKernelRereadBytes / 2 / 128, 2));
  CHECK_FALSE(row_kernel_takes_size(1024, kMaxKernelRereadBytes / 2 / 128 + 1, 2));
}

TEST_CASE("conv1d_product's gradients on the row kernels equal BLAS autograd") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("no row kernel on this CPU or GPT2_ROW_KERNELS=0");
    return;
  }
  const int threads = GENERATE(1, 2);
  const int saved = at::get_num_threads();
  at::set_num_threads(threads);
  at::manual_seed(13);
  for (int64_t M : {3, 300}) {
    CAPTURE(threads, M);
    auto x = at::randn({M, 40}, at::kDouble).requires_grad_();   // (M, K)
    auto w = at::randn({40, 70}, at::kDouble).requires_grad_();  // (K, N)
    auto b = at::randn({70}, at::kDouble).requires_grad_();      // (N)
    auto dy = at::randn({M, 70}, at::kDouble);                   // (M, N)
    at::addmm(b, x, w).backward(dy);                             // float64 reference
    auto xf = x.detach().to(at::kFloat).requires_grad_();
    auto wf = w.detach().to(at::kFloat).requires_grad_();
    auto bf = b.detach().to(at::kFloat).requires_grad_();
    REQUIRE(trains_on_row_kernels(xf, wf));
    auto y = conv1d_product(xf, wf, bf);  // (M, N)
    CHECK(y.requires_grad());
    CHECK(at::allclose(y.to(at::kDouble), at::addmm(b, x, w).detach(), 1e-4, 1e-4));
    y.backward(dy.to(at::kFloat));
    CHECK(at::allclose(xf.grad().to(at::kDouble), x.grad(), 1e-4, 1e-4));
    CHECK(at::allclose(wf.grad().to(at::kDouble), w.grad(), 1e-4, 1e-4));
    CHECK(at::allclose(bf.grad().to(at::kDouble), b.grad(), 1e-4, 1e-4));
    // Only the rows need a gradient (a frozen layer): no weight gradient is made.
    auto frozen = wf.detach();
    auto x2 = xf.detach().requires_grad_();
    conv1d_product(x2, frozen, bf.detach()).backward(dy.to(at::kFloat));
    CHECK(at::allclose(x2.grad().to(at::kDouble), x.grad(), 1e-4, 1e-4));
  }
  at::set_num_threads(saved);
}

TEST_CASE("attention_rows equals softmax(q k^T scale + bias) v, reading a strided cache") {
  if (best_row_kernel() == RowKernel::none) {
    WARN("no row kernel on this CPU or GPT2_ROW_KERNELS=0");
    return;
  }
  c10::InferenceMode inference;
  at::manual_seed(11);
  const int64_t B = 3, nh = 2, hs = 20, capacity = 40;
  for (int64_t T : {1, 4})
    for (int64_t S : {T, int64_t(37)})
      for (int bias_kind : {0, 1, 2}) {
        CAPTURE(T, S, bias_kind);
        auto q = at::randn({B, T, nh, hs}).transpose(1, 2);  // (B, nh, T, hs), strided
        // Keys and values as the cache holds them: the first S of `capacity` positions.
        auto k = at::randn({B, nh, capacity, hs}).narrow(2, 0, S);  // (B, nh, S, hs)
        auto v = at::randn({B, nh, capacity, hs}).narrow(2, 0, S);  // (B, nh, S, hs)
        at::Tensor bias;  // none; causal (1, 1, T, S); padding (B, 1, 1, S)
        if (bias_kind == 1)
          bias = at::zeros({1, 1, T, S})
                     .masked_fill_(at::ones({T, S}, at::kBool).triu(S - T + 1).view({1, 1, T, S}),
                                   -1e30);
        if (bias_kind == 2)
          bias = at::zeros({B, 1, 1, S})
                     .index_fill_(3, at::arange(std::min<int64_t>(2, S - 1)), -1e30);
        REQUIRE(attention_rows_applies(q, k, v));
        const double scale = 0.3;
        auto scores = at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(2, 3)) * scale;
        if (bias.defined()) scores = scores + bias.to(at::kDouble);
        auto expected = at::matmul(at::softmax(scores, -1), v.to(at::kDouble));  // (B,nh,T,hs)
        auto got = attention_rows(q, k, v, bias, scale);
        CHECK(got.sizes() == expected.sizes());
        CHECK(at::allclose(got.to(at::kDouble), expected, 1e-5, 1e-5));
      }
}
