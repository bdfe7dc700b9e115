// SPDX-License-Identifier: MIT
#include "bench/prompt.h"

#include <fmt/format.h>

#include <cmath>

namespace worthit::bench {

PromptPlanner::PromptPlanner(const ServerAdapter& adapter, Workload w, GenRequest base)
    : adapter_(adapter), w_(std::move(w)), base_(std::move(base)) {
  base_.chat = w_.chat();
  base_.n_gen = w_.n_gen;
  base_.ignore_eos = !w_.chat();  // llama-bench generates exactly n tokens
}

Result<int64_t> PromptPlanner::server_count(HttpClient& http, int64_t words, uint64_t nonce) const {
  GenRequest r = base_;
  r.text = nonce_line(nonce) + filler_text(words);
  r.n_gen = 1;
  WORTHIT_TRY(s, adapter_.send(http, r, nullptr));
  if (!s.server.prompt_tokens)
    return fail(std::string(adapter_.name()),
                "the server reported no prompt token count; cannot size the prompt");
  return *s.server.prompt_tokens;
}

Status PromptPlanner::prepare(HttpClient& http, std::vector<std::string>& notes) {
  if (w_.chat()) return Ok{};
  auto probe = adapter_.tokenize(http, "probe");
  exact_ = probe.has_value();
  if (exact_) {
    if (!*probe) return fail(probe->error());
    notes.push_back("prompt: exact token counts through the server's /tokenize");
    return Ok{};
  }
  const int64_t total = total_tokens();
  if (total < 8) {
    words_ = total;
    return Ok{};
  }
  // tokens ~ a + b * words: two points, then one check of the chosen length.
  const int64_t w0 = total, w1 = std::max<int64_t>(1, total / 2);
  WORTHIT_TRY(c0, server_count(http, w0, 0xca11b0));
  WORTHIT_TRY(c1, server_count(http, w1, 0xca11b1));
  const double b = c0 != c1 ? static_cast<double>(c0 - c1) / static_cast<double>(w0 - w1) : 1.0;
  const double a = static_cast<double>(c0) - b * static_cast<double>(w0);
  words_ = std::max<int64_t>(1, std::llround((static_cast<double>(total) - a) / b));
  WORTHIT_TRY(c, server_count(http, words_, 0xca11b2));
  approx_ = c;
  notes.push_back(fmt::format(
      "prompt: the API has no tokenizer; a filler of {} words was calibrated against the server's "
      "count: "
      "{} tokens for {} requested (each request's nonce line may add or remove a token or two)",
      words_, c, total));
  return Ok{};
}

Result<PlannedRequest> PromptPlanner::plan(HttpClient& http, uint64_t nonce) const {
  if (exact_) return plan_exact(http, nonce);
  return plan_text(nonce);
}

Result<PlannedRequest> PromptPlanner::plan_exact(HttpClient& http, uint64_t nonce) const {
  const int64_t total = total_tokens();
  std::vector<int64_t> tokens;
  int64_t words = total + total / 8 + 8;
  for (int attempt = 0; attempt < 4; ++attempt, words *= 2) {
    auto t = adapter_.tokenize(http, nonce_line(nonce) + (total > 0 ? filler_text(words) : ""));
    if (!t || !*t) return fail(t ? t->error() : Error{"tokenize", "no tokenizer", ""});
    tokens = std::move(**t);
    if (static_cast<int64_t>(tokens.size()) >= total) break;
  }
  if (static_cast<int64_t>(tokens.size()) < total)
    return fail("prompt",
                fmt::format("the filler gave only {} of {} tokens", tokens.size(), total));
  if (total > 0) tokens.resize(static_cast<size_t>(total));
  PlannedRequest p;
  p.timed = base_;
  p.timed.tokens = tokens;
  p.prompt_tokens_sent = static_cast<int64_t>(tokens.size());
  if (w_.depth > 0) {
    p.prime = base_;
    p.prime->tokens.assign(tokens.begin(), tokens.begin() + w_.depth);
    p.prime->n_gen = 1;
    p.prime->cache_prompt = true;
    p.timed.cache_prompt = true;
    p.expected_cached_tokens = w_.depth;
  }
  return p;
}

PlannedRequest PromptPlanner::plan_text(uint64_t nonce) const {
  PlannedRequest p;
  p.timed = base_;
  if (w_.chat()) {
    // A unique first line defeats prefix caches; llama-server gets cache_prompt: false instead.
    const bool unique = adapter_.name() != "llama-server";
    p.timed.text = (unique ? nonce_line(nonce) : "") + w_.prompt;
    return p;
  }
  const std::string head = nonce_line(nonce);
  p.timed.text = head + filler_text(words_);
  p.prompt_tokens_approx = approx_;
  if (w_.depth > 0 && words_ > 0) {
    const auto prefix_words =
        std::llround(static_cast<double>(words_) * static_cast<double>(w_.depth) /
                     static_cast<double>(total_tokens()));
    p.prime = base_;
    p.prime->text = head + filler_text(prefix_words);
    p.prime->n_gen = 1;
    p.prime->cache_prompt = true;
    p.timed.cache_prompt = true;
    p.expected_cached_tokens = w_.depth;
  }
  return p;
}

}  // namespace worthit::bench
