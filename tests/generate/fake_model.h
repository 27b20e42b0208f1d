#pragma once
// A tiny deterministic "language model" for decoding tests: logits are a plain function of
// the tokens so far (padding stripped), so expectations can be computed by hand or by
// exhaustive search.
#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

#include "generate/logits_source.h"

namespace gpt2::test {

class FunctionSource : public LogitsSource {
 public:
  using Fn = std::function<std::vector<float>(const std::vector<int64_t>& tokens)>;
  FunctionSource(int64_t vocab, int64_t context, Fn fn)
      : vocab_(vocab), context_(context), fn_(std::move(fn)) {}

  int64_t vocab_size() const override { return vocab_; }
  int64_t context_length() const override { return context_; }
  bool incremental() const override { return false; }
  void start(int64_t, int64_t) override {}
  void select_rows(const at::Tensor&) override {}
  at::Tensor step(const StepInput& input) override {
    const int64_t rows = input.input_ids.size(0);
    auto out = at::empty({rows, vocab_}, at::kFloat);  // (B, V)
    auto ids = input.input_ids.accessor<int64_t, 2>();
    auto mask = input.attention_mask.accessor<int64_t, 2>();
    for (int64_t b = 0; b < rows; ++b) {
      std::vector<int64_t> tokens;
      for (int64_t t = 0; t < input.input_ids.size(1); ++t)
        if (mask[b][t]) tokens.push_back(ids[b][t]);
      auto logits = fn_(tokens);
      for (int64_t v = 0; v < vocab_; ++v) out[b][v] = logits[static_cast<size_t>(v)];
    }
    ++calls;
    return out;
  }
  // Every position: logits of the unmasked tokens up to and including it. Non-incremental, so
  // there is no cache to roll back.
  StepOutput step_all(const StepInput& input, bool hidden) override {
    require(!hidden, "FunctionSource has no hidden states");
    const int64_t rows = input.input_ids.size(0), width = input.input_ids.size(1);
    auto out = at::empty({rows, width, vocab_}, at::kFloat);  // (B, T, V)
    auto ids = input.input_ids.accessor<int64_t, 2>();
    auto mask = input.attention_mask.accessor<int64_t, 2>();
    auto o = out.accessor<float, 3>();
    for (int64_t b = 0; b < rows; ++b) {
      std::vector<int64_t> tokens;
      for (int64_t t = 0; t < width; ++t) {
        if (mask[b][t]) tokens.push_back(ids[b][t]);
        auto logits = fn_(tokens);
        for (int64_t v = 0; v < vocab_; ++v) o[b][t][v] = logits[static_cast<size_t>(v)];
      }
    }
    ++calls;
    return {out, {}};
  }
  void rollback(const std::vector<int64_t>&) override {}
  int64_t calls = 0;

 private:
  int64_t vocab_, context_;
  Fn fn_;
};

// Logits that depend on the whole history in an irregular way, free of ties.
inline std::vector<float> wiggly_logits(const std::vector<int64_t>& tokens, int64_t vocab) {
  double sum = 0;
  for (size_t i = 0; i < tokens.size(); ++i)
    sum += (static_cast<double>(i) + 1.7) * (tokens[i] + 1);
  std::vector<float> logits(static_cast<size_t>(vocab));
  for (int64_t v = 0; v < vocab; ++v)
    logits[static_cast<size_t>(v)] = static_cast<float>(
        2.0 * std::sin(1.3 * v + 0.71 * static_cast<double>(tokens.size()) + 0.37 * sum * (v + 1)));
  return logits;
}

// A model of `vocab` tokens with wiggly_logits and a context of 64.
inline FunctionSource wiggly(int64_t vocab) {
  return FunctionSource(vocab, 64,
                        [vocab](const std::vector<int64_t>& t) { return wiggly_logits(t, vocab); });
}

// Token ids as letters (0 = 'a'): the fake models' "detokenizer", for stop strings.
inline std::string letters(const std::vector<int64_t>& ids) {
  std::string text;
  for (auto id : ids) text += static_cast<char>('a' + id);
  return text;
}

}  // namespace gpt2::test
