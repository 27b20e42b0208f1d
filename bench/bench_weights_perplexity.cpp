// Sliding-window perplexity on WikiText-2 (raw test text) of one model directory with its
// products' weights (Conv1D, LM head) in fp32, bf16, f16 and int8 (runtime.weights): the change
// the narrower weights make, and the time. With a random model (gpt2 init --model gpt2 --out DIR)
// the perplexity is near the vocabulary size, but its change is still a check of the 16-bit
// path's numerics. Prefill windows have many rows, so they take matmul_rows' BLAS path on the
// widened (dequantised) weights.
// Usage: bench_weights_perplexity MODEL_DIR [tokens=2048] [context=512] [threads=0 (all)]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/files.h"
#include "eval/perplexity.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: bench_weights_perplexity MODEL_DIR [tokens] [context] [threads]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t tokens = argc > 2 ? std::atoll(argv[2]) : 2048;
  const int64_t context = argc > 3 ? std::atoll(argv[3]) : 512;
  const int64_t threads = argc > 4 ? std::atoll(argv[4]) : 0;
  std::string data = GPT2_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GPT2_SHARED_DATA_DIR")) data = env;
  keep_freed_memory();
  at::set_num_threads(int(threads > 0 ? threads : available_cores()));

  const auto tokenizer = load_tokenizer(data + "/gpt2");
  const auto text = read_file(data + "/wikitext-2-raw/wiki.test.raw");
  const auto encoded = tokenizer->encode(text);
  std::vector<int64_t> ids(encoded.begin(),
                           encoded.begin() + std::min<int64_t>(tokens, int64_t(encoded.size())));
  const auto config = read_hf_config(dir + "/config.json");
  EvalConfig eval;
  eval.context = context;
  eval.stride = context / 2;
  eval.batch_size = 2;

  std::printf("WikiText-2 test, first %ld tokens, context %ld, stride %ld, %d threads: %s\n\n",
              long(ids.size()), long(context), long(eval.stride), at::get_num_threads(),
              dir.c_str());
  std::printf("| weights | perplexity | change vs f32 | mean NLL change | seconds |\n");
  std::printf("|---------|-----------:|--------------:|----------------:|--------:|\n");
  double f32_nll = 0, f32_ppl = 0;
  for (auto [name, dtype] : {std::pair{"f32", at::kFloat}, std::pair{"bf16", at::kBFloat16},
                             std::pair{"f16", at::kHalf}, std::pair{"int8", at::kChar}}) {
    auto model = load_model_dir(dir, config, dtype);
    model->eval();
    const auto start = std::chrono::steady_clock::now();
    const auto result = evaluate_perplexity(*model, ids, eval);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (dtype == at::kFloat) {
      f32_nll = result.mean_nll();
      f32_ppl = result.perplexity();
    }
    std::printf("| %-7s | %10.4f | %+12.4f%% | %+15.2e | %7.2f |\n", name, result.perplexity(),
                100.0 * (result.perplexity() / f32_ppl - 1), result.mean_nll() - f32_nll, seconds);
    std::fflush(stdout);
  }
  return 0;
}
