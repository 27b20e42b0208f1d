#include "eval/loglikelihood.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "core/error.h"
#include "core/progress.h"
#include "core/tokens.h"
#include "eval/scorer.h"
#include "model/gpt2_model.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {
namespace {

std::vector<int64_t> encode_ids(const Tokenizer& tokenizer, const std::string& text) {
  auto ids = tokenizer.encode(text);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

int64_t end_of_text(const Tokenizer& tokenizer) {
  const int32_t eot = tokenizer.special_tokens().end_of_text;
  require(eot >= 0,
          "the tokenizer has no end-of-text token, which conditions empty contexts "
          "and documents; use a tokenizer with <|endoftext|>");
  return eot;
}

int64_t resolve_window(const GPT2LMHeadModelImpl& model, int64_t window) {
  const int64_t n_positions = model.config().n_positions;
  require(window >= 0 && window <= n_positions,
          "window " + std::to_string(window) + " is outside 0.." + std::to_string(n_positions) +
              " (the model's n_positions; 0 = all of it)");
  return window > 0 ? window : n_positions;
}

Loglikelihood from_row(const RowScore& row) {
  return {-row.nll, row.greedy, row.tokens};
}

// One pass over the context (batch 1) into a KV cache, expanded to the continuations, which
// then run in right-padded batches of up to `batch_size` rows (longest first) whose positions
// follow the context. Pads come after each row's real tokens, so causal attention never sees
// them.
std::vector<RowScore> score_shared_context(GPT2LMHeadModelImpl& model,
                                           const std::vector<int64_t>& context,
                                           const std::vector<const std::vector<int64_t>*>& conts,
                                           int64_t batch_size) {
  const auto device = model.transformer->wte->weight.device();
  const int64_t Lc = int64_t(context.size());
  std::vector<size_t> order(conts.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return conts[a]->size() > conts[b]->size(); });
  // The last continuation token is never an input: it predicts nothing that is scored.
  KVCache context_cache = model.new_cache(1, Lc + int64_t(conts[order[0]]->size()) - 1);
  ForwardArgs prefill;
  prefill.cache = &context_cache;
  prefill.last_logits_only = true;
  auto last = model.forward(at::tensor(context, at::kLong).view({1, Lc}).to(device), prefill)
                  .logits;  // (1, 1, V)
  const int64_t V = last.size(2);
  std::vector<RowScore> out(conts.size());
  for (size_t first = 0; first < order.size(); first += size_t(batch_size)) {
    const size_t end = std::min(order.size(), first + size_t(batch_size));
    const int64_t n = int64_t(end - first);
    const int64_t Tm = int64_t(conts[order[first]]->size());    // the longest of this batch
    auto targets = at::full({n, Tm}, kIgnoreIndex, at::kLong);  // (n, Tm)
    auto tg = targets.accessor<int64_t, 2>();
    for (int64_t b = 0; b < n; ++b) {
      const auto& cont = *conts[order[first + size_t(b)]];
      for (size_t j = 0; j < cont.size(); ++j) tg[b][j] = cont[j];
    }
    // The context's last position predicts each continuation's first token.
    auto logits = last.expand({n, 1, V});  // (n, 1, V)
    if (Tm > 1) {
      // A copy whose tensors reorder replaces (or, for one row, whose unfilled tail the
      // batch overwrites): the context's positions stay as the prefill left them.
      KVCache cache = context_cache;
      cache.reorder(at::zeros({n}, at::kLong));
      auto inputs = targets.narrow(1, 0, Tm - 1).clamp_min(0).contiguous();  // (n, Tm-1)
      ForwardArgs step;
      step.cache = &cache;
      auto rest = model.forward(inputs.to(device), step).logits;  // (n, Tm-1, V)
      logits = at::cat({logits, rest}, 1);                        // (n, Tm, V)
    }
    auto rows = score_logits(logits, targets);
    for (int64_t b = 0; b < n; ++b) out[order[first + size_t(b)]] = rows[size_t(b)];
  }
  return out;
}

}  // namespace

TokenPair encode_pair(const Tokenizer& tokenizer, const std::string& context,
                      const std::string& continuation) {
  TokenPair pair;
  if (context.empty()) {
    pair.context = {end_of_text(tokenizer)};
    pair.continuation = encode_ids(tokenizer, continuation);
    return pair;
  }
  // Python's rstrip(): trailing whitespace, which belongs with the continuation's first word.
  size_t cut = context.find_last_not_of(" \t\n\r\v\f");
  cut = cut == std::string::npos ? 0 : cut + 1;
  const std::string ctx = context.substr(0, cut);
  const std::string cont = context.substr(cut) + continuation;
  auto whole = encode_ids(tokenizer, ctx + cont);
  pair.context = encode_ids(tokenizer, ctx);
  if (pair.context.empty()) {  // an all-whitespace context: as an empty one, end-of-text
    pair.context = {end_of_text(tokenizer)};
    pair.continuation = whole;
    return pair;
  }
  const size_t split = std::min(pair.context.size(), whole.size());
  pair.continuation.assign(whole.begin() + int64_t(split), whole.end());
  return pair;
}

std::vector<Loglikelihood> loglikelihood_tokens(GPT2LMHeadModelImpl& model,
                                                const std::vector<TokenPair>& pairs,
                                                const LoglikelihoodOptions& options) {
  const int64_t window = resolve_window(model, options.window);
  require(options.batch_size > 0, "scoring needs a batch size > 0");
  const int64_t vocab = model.config().vocab_size;
  for (const auto& pair : pairs)
    for (const auto* ids : {&pair.context, &pair.continuation})
      for (int64_t id : *ids)
        require(id >= 0 && id < vocab,
                "token id " + std::to_string(id) + " is outside the model's vocabulary (" +
                    std::to_string(vocab) + "): the tokenizer does not match the model");
  std::vector<Loglikelihood> out(pairs.size());
  std::vector<bool> done(pairs.size(), false);
  at::NoGradGuard no_grad;
  model.eval();
  std::optional<ProgressBar> progress;
  if (!options.progress_label.empty())
    progress.emplace(options.progress_label, double(pairs.size()), "requests");
  size_t shared_done = 0;

  if (options.share_prefix) {
    std::map<std::vector<int64_t>, std::vector<size_t>> groups;
    for (size_t i = 0; i < pairs.size(); ++i) groups[pairs[i].context].push_back(i);
    for (const auto& [context, members] : groups) {
      size_t longest = 0;
      bool any_empty = false;
      for (size_t i : members) {
        longest = std::max(longest, pairs[i].continuation.size());
        any_empty = any_empty || pairs[i].continuation.empty();
      }
      // Sharing needs the whole context in every row (a row feeds context + continuation but
      // its last token); cut rows go the separate way, so both ways give the same numbers.
      if (members.size() < 2 || context.empty() || any_empty ||
          int64_t(context.size() + longest) > window + 1)
        continue;
      std::vector<const std::vector<int64_t>*> conts;
      for (size_t i : members) conts.push_back(&pairs[i].continuation);
      auto rows = score_shared_context(model, context, conts, options.batch_size);
      for (size_t k = 0; k < members.size(); ++k) {
        out[members[k]] = from_row(rows[k]);
        done[members[k]] = true;
      }
      shared_done += members.size();
      if (progress) progress->update(double(shared_done));
    }
  }

  // The rest: longest first, so each batch pads little, then back to the caller's order.
  std::vector<size_t> order;
  std::vector<ScoreRequest> requests(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (done[i]) continue;
    if (pairs[i].continuation.empty()) {
      done[i] = true;  // nothing to score: log 1 = 0
      continue;
    }
    require(!pairs[i].context.empty(),
            "a loglikelihood request without context tokens (give end-of-text as its context)");
    // The harness's (context + continuation)[-(max_length + 1):]: `window` tokens fed.
    requests[i] = continuation_request(pairs[i].context, pairs[i].continuation, window + 1);
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].tokens.size() > requests[b].tokens.size();
  });
  std::vector<ScoreRequest> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move(requests[i]));
  auto on_batch = [&](size_t scored) {
    if (progress) progress->update(double(pairs.size() - order.size() + scored));
  };
  auto rows = score_requests(model, sorted, options.batch_size, on_batch);
  for (size_t k = 0; k < order.size(); ++k) out[order[k]] = from_row(rows[k]);
  if (progress) progress->finish();
  return out;
}

std::vector<Loglikelihood> loglikelihood(GPT2LMHeadModelImpl& model, const Tokenizer& tokenizer,
                                         const std::vector<LoglikelihoodRequest>& requests,
                                         const LoglikelihoodOptions& options) {
  std::vector<TokenPair> pairs;
  pairs.reserve(requests.size());
  for (const auto& r : requests) pairs.push_back(encode_pair(tokenizer, r.context, r.continuation));
  return loglikelihood_tokens(model, pairs, options);
}

std::vector<TokenPair> rolling_windows(const std::vector<int64_t>& tokens, int64_t prefix,
                                       int64_t window) {
  require(window >= 1, "rolling windows need a window of at least 1 token");
  // The harness's max_seq_len is the model's max_length: a pair holds up to window + 1 tokens,
  // the first `window` of them fed, predicting up to `window`.
  const int64_t n = int64_t(tokens.size()), max_len = window;
  std::vector<TokenPair> out;
  if (n == 0) return out;
  auto slice = [&](int64_t begin, int64_t end) {
    return std::vector<int64_t>(tokens.begin() + begin, tokens.begin() + end);
  };
  const int64_t first = std::min(max_len, n);
  out.push_back({{prefix}, slice(0, first)});
  int64_t predicted = first;
  while (predicted < n) {
    const int64_t length = std::min(n - predicted, max_len);
    const int64_t end = predicted + length;
    // Input tokens [end - max_len - 1, end - 1), made disjoint: the context is what comes
    // before the predicted tokens, so a short last window keeps a full window of context.
    out.push_back({slice(end - max_len - 1, end - length), slice(end - length, end)});
    predicted = end;
  }
  return out;
}

std::vector<Loglikelihood> loglikelihood_rolling(GPT2LMHeadModelImpl& model,
                                                 const Tokenizer& tokenizer,
                                                 const std::vector<std::string>& texts,
                                                 const LoglikelihoodOptions& options) {
  const int64_t window = resolve_window(model, options.window);
  const int64_t eot = end_of_text(tokenizer);
  std::vector<TokenPair> pairs;
  std::vector<size_t> owner;
  for (size_t i = 0; i < texts.size(); ++i) {
    for (auto& pair : rolling_windows(encode_ids(tokenizer, texts[i]), eot, window)) {
      pairs.push_back(std::move(pair));
      owner.push_back(i);
    }
  }
  LoglikelihoodOptions separate = options;
  separate.share_prefix = false;  // windows of a document share no context
  auto scores = loglikelihood_tokens(model, pairs, separate);
  std::vector<Loglikelihood> out(texts.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    Loglikelihood& doc = out[owner[k]];
    doc.logprob += scores[k].logprob;
    doc.greedy = doc.greedy && scores[k].greedy;
    doc.tokens += scores[k].tokens;
  }
  return out;
}

}  // namespace gpt2
