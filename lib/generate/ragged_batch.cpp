#include "generate/ragged_batch.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/error.h"

namespace gpt2 {

namespace {

// A float32 copy: the model's outputs are inference tensors, which processors may not edit.
at::Tensor float_copy(const at::Tensor& t) {
  return t.to(at::kFloat, /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace

RaggedBatch::RaggedBatch(LogitsSource& model, const std::vector<std::vector<int64_t>>& rows,
                         int64_t capacity)
    : model_(model), capacity_(std::min(capacity, model.context_length())) {
  require(!rows.empty(), "no rows to decode");
  size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.size());
  const auto B = static_cast<int64_t>(rows.size()), S = static_cast<int64_t>(longest);
  require(S < capacity_, "a sequence of " + std::to_string(S) +
                             " tokens leaves no room in a batch of " + std::to_string(capacity_) +
                             " positions");
  ids_ = at::zeros({B, S}, at::kLong);   // (B, S)
  mask_ = at::zeros({B, S}, at::kLong);  // (B, S)
  auto id = ids_.accessor<int64_t, 2>();
  auto m = mask_.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& r = rows[static_cast<size_t>(b)];
    const int64_t offset = S - static_cast<int64_t>(r.size());  // left padding
    for (size_t i = 0; i < r.size(); ++i) {
      id[b][offset + static_cast<int64_t>(i)] = r[i];
      m[b][offset + static_cast<int64_t>(i)] = 1;
    }
    lengths_.push_back(static_cast<int64_t>(r.size()));
  }
  positions_ = (mask_.cumsum(-1) - 1).clamp_min(0);  // (B, S)
  model_.start(B, capacity_);
}

StepInput RaggedBatch::input(const at::Tensor& block, const at::Tensor& block_positions) const {
  if (model_.incremental()) return {block, mask_, block_positions};
  return {ids_, mask_, positions_};
}

at::Tensor RaggedBatch::prefill_last() {
  if (width() == 0) return {};
  return float_copy(model_.step(input(ids_, positions_)));  // (B, V)
}

StepOutput RaggedBatch::prefill_all(bool hidden) {
  require(width() > 0, "prefill of empty rows");
  auto out = model_.step_all(input(ids_, positions_), hidden);
  out.logits = float_copy(out.logits);  // (B, S, V)
  if (hidden) out.hidden = float_copy(out.hidden);
  return out;
}

at::Tensor RaggedBatch::extend(const at::Tensor& tokens, const at::Tensor& valid) {
  require(tokens.dim() == 2 && tokens.size(0) == rows() && valid.sizes() == tokens.sizes(),
          "a block must be (B, W) tokens with a (B, W) validity mask");
  require(tokens.size(1) <= room(), "block of " + std::to_string(tokens.size(1)) +
                                        " columns does not fit (" + std::to_string(room()) +
                                        " left)");
  auto block = tokens.to(at::kCPU, at::kLong);                // (B, W)
  auto real = valid.to(at::kCPU, at::kLong);                  // (B, W)
  auto start = at::tensor(lengths_, at::kLong).unsqueeze(1);  // (B, 1)
  // A real token's position counts the row's real tokens before it; holes get any valid one.
  auto positions = (start + real.cumsum(1) - real).clamp_max(model_.context_length() - 1);
  auto added = real.sum(1).contiguous();  // (B)
  for (int64_t b = 0; b < rows(); ++b)
    lengths_[static_cast<size_t>(b)] += added.data_ptr<int64_t>()[b];
  ids_ = at::cat({ids_, block}, 1);                  // (B, S+W)
  mask_ = at::cat({mask_, real}, 1);                 // (B, S+W)
  positions_ = at::cat({positions_, positions}, 1);  // (B, S+W)
  return positions;                                  // (B, W)
}

at::Tensor RaggedBatch::append_last(const at::Tensor& tokens, const at::Tensor& valid) {
  auto positions = extend(tokens, valid);
  return float_copy(
      model_.step(input(ids_.narrow(1, width() - tokens.size(1), tokens.size(1)), positions)));
}

StepOutput RaggedBatch::append_all(const at::Tensor& tokens, const at::Tensor& valid, bool hidden) {
  const int64_t W = tokens.size(1);
  auto positions = extend(tokens, valid);
  auto out = model_.step_all(input(ids_.narrow(1, width() - W, W), positions), hidden);
  const int64_t T = out.logits.size(1);  // W, or S for a source that reruns everything
  out.logits = float_copy(out.logits.narrow(1, T - W, W));              // (B, W, V)
  if (hidden) out.hidden = float_copy(out.hidden.narrow(1, T - W, W));  // (B, W, C)
  return out;
}

void RaggedBatch::drop_last(const std::vector<int64_t>& drop) {
  require(static_cast<int64_t>(drop.size()) == rows(), "drop_last needs one count per row");
  auto m = mask_.accessor<int64_t, 2>();
  std::vector<int64_t> used(drop.size(), 0);  // columns each row still needs
  int64_t keep = 0;
  for (int64_t b = 0; b < rows(); ++b) {
    int64_t left = drop[static_cast<size_t>(b)];
    require(left >= 0 && left <= lengths_[static_cast<size_t>(b)], "drop_last beyond a row");
    lengths_[static_cast<size_t>(b)] -= left;
    int64_t t = width() - 1;
    for (; t >= 0 && left > 0; --t)
      if (m[b][t]) {
        m[b][t] = 0;
        --left;
      }
    int64_t last = width() - 1;
    while (last >= 0 && !m[b][last]) --last;
    used[static_cast<size_t>(b)] = last + 1;
    keep = std::max(keep, last + 1);
  }
  ids_ = ids_.narrow(1, 0, keep);
  mask_ = mask_.narrow(1, 0, keep);
  positions_ = positions_.narrow(1, 0, keep);
  model_.rollback(used);
}

void RaggedBatch::pack() {
  const int64_t longest = *std::max_element(lengths_.begin(), lengths_.end());
  auto index = at::zeros({rows(), longest}, at::kLong);  // (B, S'): old column of each new one
  auto mask = at::zeros({rows(), longest}, at::kLong);   // (B, S')
  auto ix = index.accessor<int64_t, 2>();
  auto nm = mask.accessor<int64_t, 2>();
  auto m = mask_.accessor<int64_t, 2>();
  for (int64_t b = 0; b < rows(); ++b) {
    int64_t j = longest - lengths_[static_cast<size_t>(b)];  // left padding points at column 0
    for (int64_t t = 0; t < width(); ++t)
      if (m[b][t]) {
        ix[b][j] = t;
        nm[b][j++] = 1;
      }
  }
  ids_ = ids_.gather(1, index);                        // (B, S')
  positions_ = positions_.gather(1, index).mul(mask);  // padding at position 0
  mask_ = mask;
  model_.gather_positions(index);
}

void RaggedBatch::select_rows(const std::vector<int64_t>& index) {
  auto rows = at::tensor(index, at::kLong);  // (B')
  ids_ = ids_.index_select(0, rows);
  mask_ = mask_.index_select(0, rows);
  positions_ = positions_.index_select(0, rows);
  std::vector<int64_t> lengths;
  for (auto i : index) lengths.push_back(lengths_[static_cast<size_t>(i)]);
  lengths_ = std::move(lengths);
  model_.select_rows(rows);
}

}  // namespace gpt2
