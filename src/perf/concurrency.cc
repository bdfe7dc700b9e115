// SPDX-License-Identifier: MIT
#include "perf/concurrency.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace worthit {
namespace {

constexpr int kMaxUsers = 1024;  ///< search limit for users in memory

/// Times of one wave of `batch` requests served together.
struct Wave {
  double prefill_s = 0;  ///< the batch's prompts, processed together
  double first_s = 0;    ///< the first decode step after them
  double step_s = 0;     ///< one decode step at mid-answer depth
  std::string bottleneck;
  double total(int64_t n_gen) const { return prefill_s + double(n_gen) * step_s; }
};

struct Ctx {
  const ModelArch& a;
  const std::vector<TensorInfo>& tensors;
  const FitFn& fit;
  const ConcurrencyRequest& r;
  const Efficiency& e;
  std::map<int, Wave> waves;
};

/// The context the fit gets for `k` sequences: ollama keeps its configured num_ctx per slot
/// (-1: its default; it multiplies by the slots itself), llama-server and vLLM a pool sized
/// for k users.
int64_t pool_ctx(const ConcurrencyRequest& r, int k) {
  if (r.engine == ServeEngine::Ollama) return -1;
  return int64_t(k) * context_per_user(r.request);
}

Result<bool> fits_with(Ctx& c, int k) {
  WORTHIT_TRY(f, c.fit(k, pool_ctx(c.r, k)));
  return f.fits;
}

/// Largest k in [1, kMaxUsers] whose fit succeeds (0: none). Fits are monotone in k.
Result<int> max_in_memory(Ctx& c) {
  WORTHIT_TRY(one, fits_with(c, 1));
  if (!one) return 0;
  int lo = 1, hi = 2;
  while (hi <= kMaxUsers) {
    WORTHIT_TRY(ok, fits_with(c, hi));
    if (!ok) break;
    lo = hi;
    hi *= 2;
  }
  if (hi > kMaxUsers) return lo;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    WORTHIT_TRY(ok, fits_with(c, mid));
    (ok ? lo : hi) = mid;
  }
  return lo;
}

Result<Wave> wave(Ctx& c, int batch, int slots) {
  auto it = c.waves.find(batch);
  if (it != c.waves.end()) return it->second;
  // ollama allocates all its slots; llama-server and vLLM a pool for the batch.
  const int k = c.r.engine == ServeEngine::Ollama ? slots : batch;
  WORTHIT_TRY(f, c.fit(k, pool_ctx(c.r, k)));
  const Workload& w = c.r.request;
  const int64_t P = std::max<int64_t>(w.n_prompt, 1), G = std::max<int64_t>(w.n_gen, 1);
  Wave out;
  out.prefill_s = prefill_time(c.a, c.tensors, f, P * batch, w.depth, c.r.n_ubatch, c.e).time.base();
  out.first_s = decode_time(c.a, c.tensors, f, w.depth + P, c.e, batch).time.base();
  const PhaseTime step = decode_time(c.a, c.tensors, f, w.depth + P + G / 2, c.e, batch);
  out.step_s = step.time.base();
  out.bottleneck = step.bottleneck;
  c.waves[batch] = out;
  return out;
}

/// TTFT of each of `users` requests sent at once, served `batch` at a time.
std::vector<double> ttfts(const Wave& w, int users, int batch, int64_t n_gen) {
  std::vector<double> out;
  for (int i = 0; i < users; ++i)
    out.push_back(double(i / batch) * w.total(n_gen) + w.prefill_s + w.first_s);
  return out;
}

bool comfortable_at(Ctx& c, int users, int slots, bool* ok) {
  const int batch = std::min(users, slots);
  auto w = wave(c, batch, slots);
  if (!w) {
    *ok = false;
    return false;
  }
  const auto t = ttfts(*w, users, batch, c.r.request.n_gen);
  return 1.0 / w->step_s >= c.r.comfort_tps && percentile(t, 90) <= c.r.max_ttft_s;
}

std::string rule_text(const ConcurrencyRequest& r, int slots) {
  switch (r.engine) {
    case ServeEngine::Ollama:
      return slots == 1 ? "ollama: one request at a time (OLLAMA_NUM_PARALLEL=1, the default); the others queue"
                        : fmt::format("ollama: {} parallel slots (OLLAMA_NUM_PARALLEL), num_ctx x {} of KV cache; the rest queue", slots, slots);
    case ServeEngine::LlamaServer:
      return fmt::format("llama-server: {} slots with continuous batching and one KV pool; the rest queue", slots);
    case ServeEngine::Vllm:
      return fmt::format("vLLM-style continuous batching: up to {} sequences, limited by KV memory", slots);
  }
  return "";
}

}  // namespace

Result<ServeEngine> parse_serve_engine(const std::string& s) {
  if (s == "ollama") return ServeEngine::Ollama;
  if (s == "llama-server" || s == "llama.cpp") return ServeEngine::LlamaServer;
  if (s == "vllm" || s == "sglang") return ServeEngine::Vllm;
  return fail("--engine", fmt::format("unknown serving engine '{}'", s), "ollama, llama-server, vllm");
}

const char* serve_engine_name(ServeEngine e) {
  switch (e) {
    case ServeEngine::Ollama: return "ollama";
    case ServeEngine::LlamaServer: return "llama-server";
    case ServeEngine::Vllm: return "vllm";
  }
  return "";
}

int default_slots(ServeEngine e) {
  switch (e) {
    case ServeEngine::Ollama: return 1;
    case ServeEngine::LlamaServer: return 4;
    case ServeEngine::Vllm: return 256;
  }
  return 1;
}

int64_t context_per_user(const Workload& w) { return w.depth + w.n_prompt + w.n_gen; }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

Result<ConcurrencyResult> predict_concurrency(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                                              const FitFn& fit, const ConcurrencyRequest& r,
                                              const Efficiency& e) {
  Ctx c{a, tensors, fit, r, e, {}};
  ConcurrencyResult out;
  out.users = std::max(r.users, 1);
  WORTHIT_TRY(mem, max_in_memory(c));
  out.max_users_in_memory = mem;
  out.slots = std::min(r.slots > 0 ? r.slots : default_slots(r.engine), std::max(mem, 1));
  out.rule = rule_text(r, out.slots);
  if (mem == 0) return out;
  out.batch = std::min(out.users, out.slots);
  WORTHIT_TRY(one, wave(c, 1, r.engine == ServeEngine::Ollama ? out.slots : 1));
  WORTHIT_TRY(w, wave(c, out.batch, out.slots));
  out.single_eval_rate_tps = 1.0 / one.step_s;
  out.per_user_eval_rate_tps = 1.0 / w.step_s;
  out.aggregate_eval_rate_tps = double(out.batch) / w.step_s;
  out.decode_bottleneck = w.bottleneck;
  const auto t = ttfts(w, out.users, out.batch, r.request.n_gen);
  out.ttft_p50_s = percentile(t, 50);
  out.ttft_p90_s = percentile(t, 90);
  out.ttft_p99_s = percentile(t, 99);
  out.comfortable = out.per_user_eval_rate_tps >= r.comfort_tps && out.ttft_p90_s <= r.max_ttft_s;
  // Comfort falls with more users (slower steps, longer queues): count up until it fails.
  bool ok = true;
  for (int n = 1; n <= kMaxUsers && comfortable_at(c, n, out.slots, &ok); ++n) out.max_comfortable_users = n;
  if (!ok) return fail("concurrency", "a fit failed while counting comfortable users");
  return out;
}

}  // namespace worthit
