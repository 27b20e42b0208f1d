#pragma once
// DRY ("don't repeat yourself", koboldcpp / llama.cpp's dry sampler): a token that would extend
// a sequence already seen in the last dry_penalty_last_n tokens (prompt included) loses
// multiplier * base^(length - allowed_length) from its logit, length being the longest such
// repeat it would extend, if length >= allowed_length. Repeats only count back to the latest
// sequence breaker, and a one-token breaker is never penalised.
#include <functional>
#include <string>
#include <unordered_map>

#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<DryOptions>().
struct DryOptions {
  double multiplier = 0.0;
  double base = 1.75;
  int64_t allowed_length = 2;
  int64_t penalty_last_n = -1;
  // Texts; make_generation_options tokenises them into DrySettings::breakers.
  std::vector<std::string> sequence_breakers = {"\n", ":", "\"", "*"};

  void visit(FieldVisitor& v) {
    v.field("dry_multiplier", multiplier,
            "DRY: subtract dry_multiplier * dry_base^(repeat - dry_allowed_length) from a token "
            "extending a repeat (0 = off)",
            Rule::non_negative());
    v.field("dry_base", base, "DRY: growth of the penalty per repeated token", Rule::at_least(1));
    v.field("dry_allowed_length", allowed_length, "DRY: repeats this long are not penalised",
            Rule::non_negative());
    v.field("dry_penalty_last_n", penalty_last_n,
            "DRY: tokens scanned for repeats (-1 = whole history, 0 = off)", Rule::at_least(-1));
    v.field("dry_sequence_breakers", sequence_breakers,
            "DRY: texts that end a repeat (tokenised with the model's tokenizer)");
  }
  void validate(const GenerateConfig&) const {}
  bool enabled() const { return multiplier != 0 && penalty_last_n != 0; }
};

struct DrySettings {
  double multiplier = 0;
  double base = 1.75;
  int64_t allowed_length = 2;
  int64_t last_n = -1;  // -1 = the whole history
  // Token sequences that break repeats: a head token, then the tokens that must follow it.
  std::vector<std::vector<int64_t>> breakers;
};

class DryProcessor : public LogitsProcessor {
 public:
  explicit DryProcessor(DrySettings settings);
  std::string name() const override { return "dry"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off (dry_multiplier 0 or dry_penalty_last_n 0).
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

  // The breaker sequences of `texts` as llama.cpp builds them: every token whose text contains
  // a breaker is a one-token breaker; a token whose text ends with a proper prefix of it is a
  // head whose tail is the rest of the breaker encoded (at most 20 tokens). Breakers are cut
  // to 40 bytes. piece(id) is one token's text.
  static std::vector<std::vector<int64_t>> breaker_sequences(
      const std::vector<std::string>& texts, int64_t vocab_size,
      const std::function<std::string(int64_t)>& piece,
      const std::function<std::vector<int64_t>(const std::string&)>& encode);

 private:
  // The penalty per token of one row's history (empty when nothing repeats).
  std::unordered_map<int64_t, double> penalties(const std::vector<int64_t>& tokens) const;

  DrySettings settings_;
  std::unordered_map<int64_t, std::vector<std::vector<int64_t>>> tails_;  // head -> tails
  int64_t max_exponent_ = 0;  // keeps base^exponent finite in float; 0 = no cap
};

}  // namespace gpt2
