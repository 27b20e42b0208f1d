#include "eval/loglikelihood.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
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

// A context's cache rows gathered for its continuations: fresh tensors of `capacity`
// positions, so the context cache itself is never written (KVCache::reorder may work in place).
KVCache gathered_cache(const KVCache& source, const at::Tensor& rows, int64_t capacity) {
  KVCache out;
  out.length = source.length;
  for (const auto* from : {&source.keys, &source.values}) {
    auto& to = from == &source.keys ? out.keys : out.values;
    for (const auto& t : *from) {
      auto sizes = t.sizes().vec();  // (B, nh, cap, hs)
      sizes[0] = rows.numel();
      sizes[2] = capacity;
      auto fresh = at::empty(sizes, t.options());  // (n, nh, capacity, hs)
      fresh.narrow(2, 0, source.length).copy_(t.narrow(2, 0, source.length).index_select(0, rows));
      to.push_back(fresh);
    }
  }
  return out;
}

// Questions whose choices share a context: their contexts (at most batch_size of them)
// run as one left-padded batch into a KV cache; then every choice's continuation, rows of
// up to kRowsPerContext * batch_size (longest first), follows its own context's cache rows.
// Left pads are masked and positions count from each row's first real token, so every row
// sees exactly its own context; right pads come after a continuation's real tokens, so
// causal attention never sees them.
struct SharedQuestion {
  const std::vector<int64_t>* context;
  std::vector<const std::vector<int64_t>*> conts;
  std::vector<size_t> members;  // the requests, in conts' order
};
constexpr int64_t kRowsPerContext = 4;  // continuations are short: wider batches than contexts

void score_shared_contexts(GPT2LMHeadModelImpl& model, const std::vector<SharedQuestion>& qs,
                           int64_t batch_size, std::vector<Loglikelihood>& out) {
  const auto device = model.transformer->wte->weight.device();
  const int64_t Q = int64_t(qs.size());
  int64_t Lmax = 0;
  for (const auto& q : qs) Lmax = std::max(Lmax, int64_t(q.context->size()));
  auto ids = at::zeros({Q, Lmax}, at::kLong);   // (Q, Lmax), left-padded
  auto mask = at::zeros({Q, Lmax}, at::kLong);  // (Q, Lmax), 1 = real token
  std::vector<int64_t> context_length(size_t(Q), 0);
  bool padded = false;
  for (int64_t q = 0; q < Q; ++q) {
    const auto& context = *qs[size_t(q)].context;
    const int64_t L = int64_t(context.size()), pad = Lmax - L;
    context_length[size_t(q)] = L;
    padded = padded || pad > 0;
    ids[q].narrow(0, pad, L).copy_(at::tensor(context, at::kLong));
    mask[q].narrow(0, pad, L).fill_(1);
  }
  // The last continuation token is never an input: it predicts nothing that is scored.
  KVCache context_cache = model.new_cache(Q, Lmax);
  ForwardArgs prefill;
  prefill.cache = &context_cache;
  prefill.last_logits_only = true;
  if (padded) {
    prefill.attention_mask = mask.to(device);
    prefill.position_ids = position_ids_from_mask(mask).to(device);  // (Q, Lmax)
  }
  // Every row's last position is real: it predicts each continuation's first token.
  auto last = model.forward(ids.to(device), prefill).logits;  // (Q, 1, V)

  struct Row {
    int64_t question;
    size_t choice;
  };
  std::vector<Row> rows;
  for (int64_t q = 0; q < Q; ++q)
    for (size_t k = 0; k < qs[size_t(q)].conts.size(); ++k) rows.push_back({q, k});
  auto length_of = [&](const Row& r) { return qs[size_t(r.question)].conts[r.choice]->size(); };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const Row& a, const Row& b) { return length_of(a) > length_of(b); });
  const size_t per_batch = size_t(kRowsPerContext * batch_size);
  for (size_t first = 0; first < rows.size(); first += per_batch) {
    const size_t end = std::min(rows.size(), first + per_batch);
    const int64_t n = int64_t(end - first);
    const int64_t Tm = int64_t(length_of(rows[first]));         // the longest of this batch
    auto targets = at::full({n, Tm}, kIgnoreIndex, at::kLong);  // (n, Tm)
    auto source = at::empty({n}, at::kLong);                    // (n) each row's question
    auto tg = targets.accessor<int64_t, 2>();
    for (int64_t b = 0; b < n; ++b) {
      const Row& row = rows[first + size_t(b)];
      const auto& cont = *qs[size_t(row.question)].conts[row.choice];
      for (size_t j = 0; j < cont.size(); ++j) tg[b][j] = cont[j];
      source[b] = row.question;
    }
    const auto row_source = source.to(device);
    auto logits = last.index_select(0, row_source);  // (n, 1, V)
    if (Tm > 1) {
      KVCache cache = gathered_cache(context_cache, row_source, Lmax + Tm - 1);
      auto inputs = targets.narrow(1, 0, Tm - 1).clamp_min(0).contiguous();  // (n, Tm-1)
      ForwardArgs step;
      step.cache = &cache;
      if (padded) {
        auto row_mask = mask.index_select(0, source);  // (n, Lmax)
        step.attention_mask = at::cat({row_mask, at::ones({n, Tm - 1}, at::kLong)}, 1)
                                  .to(device);  // (n, Lmax + Tm - 1)
        auto starts = at::tensor(context_length, at::kLong).index_select(0, source);  // (n)
        step.position_ids = (starts.unsqueeze(1) + at::arange(Tm - 1, at::kLong).unsqueeze(0))
                                .to(device);  // (n, Tm-1)
      }
      auto rest = model.forward(inputs.to(device), step).logits;  // (n, Tm-1, V)
      logits = at::cat({logits, rest}, 1);                        // (n, Tm, V)
    }
    auto scored = score_logits(logits, targets);
    for (int64_t b = 0; b < n; ++b) {
      const Row& row = rows[first + size_t(b)];
      out[qs[size_t(row.question)].members[row.choice]] = from_row(scored[size_t(b)]);
    }
  }
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
    std::vector<SharedQuestion> questions;
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
      SharedQuestion q{&context, {}, members};
      for (size_t i : members) q.conts.push_back(&pairs[i].continuation);
      questions.push_back(std::move(q));
    }
    // Longest contexts first, so each batch of contexts pads little.
    std::stable_sort(questions.begin(), questions.end(),
                     [](const SharedQuestion& a, const SharedQuestion& b) {
                       return a.context->size() > b.context->size();
                     });
    for (size_t first = 0; first < questions.size(); first += size_t(options.batch_size)) {
      const size_t end = std::min(questions.size(), first + size_t(options.batch_size));
      const std::vector<SharedQuestion> chunk(questions.begin() + int64_t(first),
                                              questions.begin() + int64_t(end));
      score_shared_contexts(model, chunk, options.batch_size, out);
      for (const auto& q : chunk) {
        for (size_t i : q.members) done[i] = true;
        shared_done += q.members.size();
      }
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
