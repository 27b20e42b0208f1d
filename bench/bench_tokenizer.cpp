// GPT-2 BPE throughput on the shared corpora, one thread: MB/s of input text, median of
// repeated runs. "cold" uses a fresh tokenizer per run (empty word cache), "warm" reuses one.
// Single-thread columns are measured in the thread's CPU time, so other processes on a busy
// machine do not distort them; "wall" repeats the warm run in wall-clock time, and "2 thr"
// is wall-clock for two threads on the two halves of the text.
// Usage: bench_tokenizer [repeats=7] [data_dir]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/files.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/pretokenizer.h"

using namespace gpt2;

namespace {

double seconds_of(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double thread_cpu_now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

double cpu_seconds_of(const std::function<void()>& fn) {
  double start = thread_cpu_now();
  fn();
  return thread_cpu_now() - start;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 7;
  std::string data = argc > 2 ? argv[2] : GPT2_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GPT2_SHARED_DATA_DIR")) data = env;
  const std::vector<std::pair<std::string, std::string>> corpora = {
      {"tinyshakespeare", data + "/tinyshakespeare/input.txt"},
      {"wikitext-2 valid", data + "/wikitext-2/valid.txt"},
      {"wikitext-2 test", data + "/wikitext-2/test.txt"},
      {"wiki.test.raw", data + "/wikitext-2-raw/wiki.test.raw"},
  };
  std::printf("GPT-2 BPE, 1 thread, median of %d runs (MB = 1e6 bytes of input)\n\n", repeats);
  std::printf("%-18s %6s %8s | %8s %8s %8s %8s | %8s %8s\n", "", "", "", "pretok", "cold", "warm",
              "decode", "warm", "2 thr");
  std::printf("%-18s %6s %8s | %35s | %17s\n", "corpus", "MB", "tokens", "MB/s, thread CPU time",
              "MB/s, wall clock");
  for (const auto& [name, path] : corpora) {
    std::string text = read_file(path);
    double mb = text.size() / 1e6;
    std::vector<double> pretok, cold, warm, wall, two, dec;
    size_t tokens = 0;
    auto warm_bpe = Gpt2Bpe::load(data + "/gpt2");
    for (int r = 0; r < repeats; ++r) {
      size_t pieces = 0;
      pretok.push_back(seconds_of(
          [&] { Gpt2PreTokenizer::instance().split(text, [&](std::string_view) { ++pieces; }); }));
      auto fresh = Gpt2Bpe::load(data + "/gpt2");
      std::vector<int32_t> ids;
      cold.push_back(cpu_seconds_of([&] { ids = fresh->encode(text); }));
      warm.push_back(cpu_seconds_of([&] { ids = warm_bpe->encode(text); }));
      wall.push_back(seconds_of([&] { ids = warm_bpe->encode(text); }));
      tokens = ids.size();
      // Two threads, each on half the text (split after a newline, where encoding is exact).
      size_t cut = text.find('\n', text.size() / 2) + 1;
      two.push_back(seconds_of([&] {
        std::vector<int32_t> a, b;
        std::thread t([&] { a = fresh->encode(std::string_view(text).substr(0, cut)); });
        b = fresh->encode(std::string_view(text).substr(cut));
        t.join();
      }));
      dec.push_back(cpu_seconds_of([&] { (void)warm_bpe->decode(ids); }));
    }
    std::printf("%-18s %6.2f %8zu | %8.1f %8.1f %8.1f %8.0f | %8.1f %8.1f\n", name.c_str(), mb,
                tokens, mb / median(pretok), mb / median(cold), mb / median(warm), mb / median(dec),
                mb / median(wall), mb / median(two));
  }
  return 0;
}
