#pragma once
// Attention for a few query positions (the decoding step), head by head with the row kernels
// (row_products.h), reading keys and values where they lie, e.g. in the KV cache: each head's
// scores, softmax (row_math.h) and weighted sum of values in one go.
//
// The general path copies the cache's filled part into a (B*nh, S, hs) tensor per layer and
// step (a reshape of a strided view) and hands each head to BLAS, which repacks it: at batch
// 8 that was a fifth of a GPT-2 124M decoding step.
#include <ATen/core/Tensor.h>

namespace gpt2 {

// Whether attention_rows takes these operands: a row kernel on this CPU, float CPU tensors, at
// most kMaxKernelRows queries, unit stride along hs, no autograd graph to record.
bool attention_rows_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

// softmax(scale * q k^T + bias) v for q (B, nh, T, hs), k and v (B, nh, S, hs), bias additive
// and broadcastable to (B, nh, T, S) or undefined: (B, nh, T, hs).
at::Tensor attention_rows(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const at::Tensor& bias, double scale);

}  // namespace gpt2
