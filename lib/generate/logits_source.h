#pragma once
// What decoding needs from a language model: next-token logits for a batch of rows. The
// decode loops only talk to this interface, so they run on GPT-2 (model_source.h) and on
// small deterministic fakes in the tests alike.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/error.h"

namespace gpt2 {

struct StepInput {
  at::Tensor input_ids;       // (B, T) int64: new tokens (incremental) or the whole sequence
  at::Tensor attention_mask;  // (B, S) int64, 1 = real, 0 = left padding; S = past + T
  at::Tensor position_ids;    // (B, T) int64
};

// Every position of a step: speculative decoding verifies k drafted tokens at once, contrastive
// search compares hidden states.
struct StepOutput {
  at::Tensor logits;  // (B, T, V)
  at::Tensor hidden;  // (B, T, C): the final LayerNorm's output; undefined unless asked for
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

  // Like step(), with the logits of every input position (and the hidden states when `hidden`).
  virtual StepOutput step_all(const StepInput&, bool /*hidden*/) {
    throw Error(
        "this model source cannot return every position's logits (needed by "
        "speculative decoding and contrastive search)");
  }
  // Row b keeps its first lengths[b] cached positions and forgets the rest (rejected draft
  // tokens). A cache with one length for all rows keeps max(lengths); the caller then masks a
  // row's positions past its own length, as it masks left padding.
  virtual void rollback(const std::vector<int64_t>& /*lengths*/) {
    throw Error("this model source cannot roll back its cache (needed by speculative decoding)");
  }
  // Row b's cached position j becomes its old position index[b][j]; index (B, S') int64.
  // Packs rows with masked holes (speculative decoding) without running them again. A source
  // without a cache has nothing to move.
  virtual void gather_positions(const at::Tensor& /*index*/) {
    if (incremental()) throw Error("this model source cannot move cached positions");
  }
};

}  // namespace gpt2
