// Seeded mutation fuzzing of the model-directory readers (model.safetensors and config.json):
// every mutant either loads, passing all checks, or is refused with gpt2::Error. Any other
// exception fails the test; a crash fails the program.
#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <random>

#include "core/error.h"
#include "core/files.h"
#include "io/checkpoint.h"
#include "test_support.h"
#include "tiny_model_config.h"

using namespace gpt2;

namespace {

enum class Outcome { loaded, refused };

// Loads `dir`; an exception that is not gpt2::Error fails the test with the mutant named.
Outcome load_outcome(const std::string& dir, const std::string& mutant) {
  try {
    auto model = load_model_dir(dir);
    // A load that passed: the model is what its config.json says.
    CHECK(model->config().parameter_count() == int64_t([&] {
            int64_t n = 0;
            for (const auto& p : model->parameters()) n += p.numel();
            return n;
          }()));
    return Outcome::loaded;
  } catch (const Error&) {
    return Outcome::refused;
  } catch (const std::exception& e) {
    FAIL_CHECK("mutant " << mutant << " threw a non-gpt2 exception: " << e.what());
  } catch (...) {
    FAIL_CHECK("mutant " << mutant << " threw a non-std exception");
  }
  return Outcome::refused;
}

// A random edit of `text`, biased to its first `hot` bytes (the header / the numbers).
std::string mutate(std::string text, size_t hot, std::mt19937& rng, std::string& how) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const size_t limit = std::min(hot, text.size());
  const size_t at = pick(limit);
  const char* alphabet = "0123456789-.e+[]{}\",: aF";
  switch (pick(6)) {
    case 0:
      text[at] = static_cast<char>(pick(256));
      how = "byte " + std::to_string(at) + " set";
      break;
    case 1:
      text[at] = alphabet[pick(std::strlen(alphabet))];
      how = "byte " + std::to_string(at) + " to a JSON character";
      break;
    case 2:
      text.resize(pick(text.size()));
      how = "truncated to " + std::to_string(text.size());
      break;
    case 3:
      text.insert(at, 1, alphabet[pick(std::strlen(alphabet))]);
      how = "inserted at " + std::to_string(at);
      break;
    case 4:
      text.erase(at, 1 + pick(4));
      how = "erased at " + std::to_string(at);
      break;
    default: {
      // A number replaced by an extreme one.
      const char* extremes[] = {"1e300", "-1", "9223372036854775808", "0.5", "4294967296", "0"};
      size_t digit = text.find_first_of("0123456789", at);
      if (digit == std::string::npos || digit >= limit) digit = at;
      size_t end = text.find_first_not_of("0123456789", digit);
      text.replace(digit, (end == std::string::npos ? text.size() : end) - digit,
                   extremes[pick(6)]);
      how = "number at " + std::to_string(digit) + " made extreme";
    }
  }
  return text;
}

}  // namespace

TEST_CASE("fuzz: mutated model.safetensors and config.json load or raise gpt2::Error only") {
  test::TempDir tmp;
  const std::string dir = tmp.file("model");
  at::manual_seed(3);
  GPT2LMHeadModel model(test::tiny_model_config(20, 8, 4, 1, 1));
  save_model_dir(*model, dir);
  const std::string weights = read_file(dir + "/model.safetensors");
  const std::string config = read_file(dir + "/config.json");
  uint64_t header = 0;
  for (int i = 7; i >= 0; --i) header = (header << 8) | static_cast<unsigned char>(weights[i]);

  // Warnings (non-finite weights from mutated data) are expected; keep the output readable.
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int null = ::open("/dev/null", O_WRONLY);
  ::dup2(null, STDERR_FILENO);
  ::close(null);

  // GPT2_FUZZ_ROUNDS=N fuzzes N times longer (other seeds) when hunting; the default is fast.
  const char* rounds_env = std::getenv("GPT2_FUZZ_ROUNDS");
  const int rounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 1;
  int loaded = 0, refused = 0;
  for (int round = 0; round < rounds; ++round) {
    std::mt19937 rng(20240520 + round);
    write_file_atomic(dir + "/config.json", config);
    for (int i = 0; i < 300; ++i) {
      std::string how;
      // Mostly the length and JSON header, sometimes anywhere.
      const size_t hot = i % 5 == 0 ? weights.size() : size_t(8 + header);
      write_file_atomic(dir + "/model.safetensors", mutate(weights, hot, rng, how));
      (load_outcome(dir, "safetensors #" + std::to_string(i) + " (" + how + ")") == Outcome::loaded
           ? loaded
           : refused)++;
    }
    write_file_atomic(dir + "/model.safetensors", weights);
    for (int i = 0; i < 200; ++i) {
      std::string how;
      write_file_atomic(dir + "/config.json", mutate(config, config.size(), rng, how));
      (load_outcome(dir, "config.json #" + std::to_string(i) + " (" + how + ")") == Outcome::loaded
           ? loaded
           : refused)++;
    }
    write_file_atomic(dir + "/config.json", config);
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  INFO("loaded " << loaded << ", refused " << refused);
  CHECK(refused > 250 * rounds);  // the mutants mostly break a rule
  CHECK(loaded > 10 * rounds);    // and some are harmless (data bytes, spacing, an unused field)
}
