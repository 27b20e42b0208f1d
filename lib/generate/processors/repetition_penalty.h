#pragma once
// Repetition penalty (Keskar et al. 2019, as Hugging Face applies it): for every distinct
// token of the sequence so far (prompt and generated, less its first prompt_ignore_length ids),
// a positive logit is divided by the penalty, a negative one multiplied, so a penalty > 1
// always makes the token less likely. With normalize, the row is log-softmaxed first and the
// seen tokens' log-probabilities are multiplied by the penalty (the row stays log-probabilities).
// The ids counted are the row's own, never padding (Hugging Face slices the padded batch).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<RepetitionPenaltyOptions>().
struct RepetitionPenaltyOptions {
  double penalty = 1.0;
  int64_t prompt_ignore_length = 0;
  bool normalize = false;

  void visit(FieldVisitor& v) {
    v.field("repetition_penalty", penalty,
            "divide positive / multiply negative logits of seen tokens (1 = off)",
            Rule::positive());
    v.field("repetition_penalty_prompt_ignore_length", prompt_ignore_length,
            "repetition_penalty: the first this many ids of the sequence do not count",
            Rule::non_negative());
    v.field("repetition_penalty_normalize", normalize,
            "repetition_penalty: log-softmax the row first, then multiply seen tokens' "
            "log-probabilities by the penalty");
  }
  void validate(const GenerateConfig& config) const;
};

class RepetitionPenaltyProcessor : public LogitsProcessor {
 public:
  explicit RepetitionPenaltyProcessor(double penalty, int64_t prompt_ignore_length = 0,
                                      bool normalize = false);
  std::string name() const override { return "repetition_penalty"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double penalty_;
  int64_t prompt_ignore_length_;
  bool normalize_;
};

}  // namespace gpt2
