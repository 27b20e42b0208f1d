#pragma once
// What decoding needs from a language model: next-token logits for a batch of rows. The
// decode loops only talk to this interface, so they run on GPT-2 (model_source.h) and on
// small deterministic fakes in the tests alike.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace gpt2 {

struct StepInput {
  at::Tensor input_ids;       // (B, T) int64: new tokens (incremental) or the whole sequence
  at::Tensor attention_mask;  // (B, S) int64, 1 = real, 0 = left padding; S = past + T
  at::Tensor position_ids;    // (B, T) int64
};

class LogitsSource {
 public:
  virtual ~LogitsSource() = default;
  virtual int64_t vocab_size() const = 0;
  virtual int64_t context_length() const = 0;  // positions the model can take
  // True: keeps past keys/values, so after the first step() only new tokens are passed.
  // False: every step() gets the whole (padded) sequence.
  virtual bool incremental() const = 0;
  // Starts a new batch of `batch_size` rows holding up to `capacity` positions.
  virtual void start(int64_t batch_size, int64_t capacity) = 0;
  // Logits of the last position of each row: (B, V).
  virtual at::Tensor step(const StepInput& input) = 0;
  // Row i of the kept state becomes old row index[i] (beam reordering, dropping finished
  // rows, or repeating a prompt for several beams). index: (B') int64.
  virtual void select_rows(const at::Tensor& index) = 0;
};

}  // namespace gpt2
