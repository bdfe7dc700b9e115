// SPDX-License-Identifier: MIT
#include "probe/membw.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace worthit::probe {
namespace {

// 16-byte vectors are baseline on x86-64 (SSE2) and aarch64 (NEON): portable without -march.
typedef uint64_t U64x2 __attribute__((vector_size(16)));

constexpr size_t kAlign = 2 * 1024 * 1024;  // huge-page size on x86-64 and most arm64 kernels

/// An anonymous mapping, unmapped on destruction.
class Mapping {
 public:
  Mapping(size_t bytes, bool huge) : size_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    ptr_ = p;
    // Huge pages cut TLB misses, as STREAM's large arrays get them where THP is "always". With
    // THP defrag set to "madvise" a fault may compact memory first: slow on a busy machine.
    if (huge) (void)madvise(p, bytes, MADV_HUGEPAGE);
  }
  ~Mapping() {
    if (ptr_) munmap(ptr_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  void* get() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

/// Reads `n` vectors with four independent accumulators so loads overlap.
uint64_t sum_slice(const U64x2* p, size_t n) {
  U64x2 a = {0, 0}, b = a, c = a, d = a;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  for (; i < n; ++i) a += p[i];
  U64x2 s = a + b + c + d;
  return s[0] + s[1];
}

}  // namespace

BandwidthOptions default_bandwidth_options(Bytes llc, Bytes available, int threads, bool quick) {
  BandwidthOptions o;
  o.threads = std::max(threads, 1);
  o.buffer = quick ? std::max(mib(256), llc * 4.0) : std::max(gib(1), llc * 8.0);
  if (available.base() > 0) o.buffer = std::min(o.buffer, available * 0.25);
  o.passes = quick ? 3 : 8;
  o.huge_pages = !quick;
  return o;
}

Result<BandwidthResult> measure_read_bandwidth(const BandwidthOptions& opt) {
  const auto t_start = std::chrono::steady_clock::now();
  if (opt.threads < 1 || opt.passes < 1 || opt.buffer < mib(1))
    return fail("membw", "need at least 1 thread, 1 pass and a 1 MiB buffer");
  const size_t threads = static_cast<size_t>(opt.threads);
  // Each slice is a whole number of huge pages, so slices never share a page.
  const size_t slice = std::max(kAlign, static_cast<size_t>(opt.buffer.base()) / threads /
                                            kAlign * kAlign);
  const size_t total = slice * threads;
  Mapping map(total, opt.huge_pages);
  if (!map.get())
    return fail("membw", fmt::format("cannot allocate a {:.0f} MiB buffer", total / 1048576.0),
                "free some memory or use a smaller buffer");
  auto* base = static_cast<U64x2*>(map.get());
  const size_t per = slice / sizeof(U64x2);

  std::barrier sync(static_cast<std::ptrdiff_t>(threads + 1));
  std::atomic<uint64_t> sink{0};
  std::vector<std::thread> workers;
  const int rounds = opt.passes + 1;  // the first round is a warm-up
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      U64x2* mine = base + t * per;
      // First touch by the thread that reads the slice places its pages on that thread's node.
      for (size_t i = 0; i < per; ++i) mine[i] = U64x2{i, t};
      for (int r = 0; r < rounds; ++r) {
        sync.arrive_and_wait();  // start together
        sink.fetch_add(sum_slice(mine, per), std::memory_order_relaxed);
        sync.arrive_and_wait();  // the pass ends with the slowest thread
      }
    });
  }
  BandwidthResult res;
  double sum_gbs = 0;
  for (int r = 0; r < rounds; ++r) {
    sync.arrive_and_wait();
    const auto t0 = std::chrono::steady_clock::now();
    sync.arrive_and_wait();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r == 0) continue;
    const BytesPerSec bw{static_cast<double>(total) / std::max(s, 1e-9)};
    res.best = std::max(res.best, bw);
    sum_gbs += bw.base();
  }
  for (auto& w : workers) w.join();
  res.mean = BytesPerSec{sum_gbs / opt.passes};
  res.buffer = Bytes{static_cast<double>(total)};
  res.threads = opt.threads;
  res.passes = opt.passes;
  res.elapsed = seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());
  return res;
}

}  // namespace worthit::probe
