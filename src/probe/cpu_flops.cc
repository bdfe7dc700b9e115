// SPDX-License-Identifier: MIT
#include "probe/cpu_flops.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace worthit::probe {
namespace {

// Independent chains per thread: enough to cover FMA latency (4-5 cycles) times two FMA pipes.
constexpr int kChains = 12;
constexpr uint64_t kChunkIters = 1 << 16;
// acc = acc * kMul + kAdd converges to 1: values stay normal, never overflow or go denormal.
constexpr float kMul = 0.9999999f;
constexpr float kAdd = 1e-7f;

/// One kernel: runs `iters` rounds over all chains, returns a sum the caller keeps alive.
struct Kernel {
  const char* name;
  int lanes;      ///< FP32 lanes per vector
  float (*run)(uint64_t iters, float seed);
};

#if defined(__x86_64__)
__attribute__((target("avx512f"))) float run_avx512(uint64_t iters, float seed) {
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(seed + static_cast<float>(k));
  const __m512 m = _mm512_set1_ps(kMul), a = _mm512_set1_ps(kAdd);
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], m, a);
  }
  __m512 s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm512_add_ps(s, acc[k]);
  // Stored and summed by hand: GCC 12's _mm512_reduce_add_ps trips -Wuninitialized.
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float r = 0;
  for (float v : out) r += v;
  return r;
}

__attribute__((target("avx2,fma"))) float run_avx2(uint64_t iters, float seed) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(seed + static_cast<float>(k));
  const __m256 m = _mm256_set1_ps(kMul), a = _mm256_set1_ps(kAdd);
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, a);
  }
  __m256 s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm256_add_ps(s, acc[k]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  float r = 0;
  for (float v : out) r += v;
  return r;
}
#elif defined(__aarch64__)
float run_neon(uint64_t iters, float seed) {
  float32x4_t acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = vdupq_n_f32(seed + static_cast<float>(k));
  const float32x4_t m = vdupq_n_f32(kMul), a = vdupq_n_f32(kAdd);
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = vfmaq_f32(a, acc[k], m);
  }
  float r = 0;
  for (int k = 0; k < kChains; ++k) r += vaddvq_f32(acc[k]);
  return r;
}
#endif

/// Portable fallback: 4-lane vectors, a multiply and an add (no fused multiply-add promised).
float run_generic(uint64_t iters, float seed) {
  typedef float F32x4 __attribute__((vector_size(16)));
  F32x4 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = F32x4{} + (seed + static_cast<float>(k));
  const F32x4 m = F32x4{} + kMul, a = F32x4{} + kAdd;
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * m + a;
  }
  float r = 0;
  for (int k = 0; k < kChains; ++k) r += acc[k][0] + acc[k][1] + acc[k][2] + acc[k][3];
  return r;
}

Kernel pick_kernel() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {"avx512f", 16, run_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2+fma", 8, run_avx2};
  return {"sse", 4, run_generic};
#elif defined(__aarch64__)
  return {"neon", 4, run_neon};
#else
  return {"generic", 4, run_generic};
#endif
}

}  // namespace

std::string fp32_kernel_name() { return pick_kernel().name; }

Result<FlopsResult> measure_fp32_flops(const FlopsOptions& opt) {
  if (opt.threads < 1 || opt.duration.base() <= 0)
    return fail("cpu flops", "need at least 1 thread and a positive duration");
  const Kernel kernel = pick_kernel();
  const size_t threads = static_cast<size_t>(opt.threads);
  std::barrier start(static_cast<std::ptrdiff_t>(threads + 1));
  std::vector<uint64_t> iters_done(threads, 0);
  std::atomic<uint32_t> sink{0};
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      const auto t0 = std::chrono::steady_clock::now();
      const auto until = t0 + std::chrono::duration<double>(opt.duration.base());
      float keep = 0;
      uint64_t done = 0;
      do {
        keep += kernel.run(kChunkIters, static_cast<float>(t));
        done += kChunkIters;
      } while (std::chrono::steady_clock::now() < until);
      iters_done[t] = done;
      sink.fetch_add(static_cast<uint32_t>(keep), std::memory_order_relaxed);
    });
  }
  start.arrive_and_wait();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& w : workers) w.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double flop = 0;
  // Each iteration does one vector FMA (2 FLOP per lane) on every chain.
  for (uint64_t n : iters_done) flop += static_cast<double>(n) * kChains * kernel.lanes * 2.0;
  FlopsResult r;
  r.fp32 = FlopsPerSec{flop / std::max(s, 1e-9)};
  r.kernel = kernel.name;
  r.threads = opt.threads;
  r.elapsed = seconds(s);
  return r;
}

}  // namespace worthit::probe
