// SPDX-License-Identifier: MIT
#include "probe/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>

#include "probe/cuda_probe.h"
#include "probe/gpu_match.h"
#include "probe/rapl.h"

namespace worthit::probe {
namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf.data();
}

/// The CUDA measurements of one GPU; each failure becomes a note.
void measure_gpu(GpuReport& g, bool quick) {
  auto keep_bw = [&](Result<BytesPerSec> r, std::optional<BytesPerSec>& into) {
    if (r) {
      into = *r;
    } else {
      g.notes.push_back(r.error().message());
    }
  };
  auto keep_flops = [&](Result<FlopsPerSec> r, std::optional<FlopsPerSec>& into) {
    if (r) {
      into = *r;
    } else {
      g.notes.push_back(r.error().message());
    }
  };
  const int i = g.info.index;
  keep_bw(cuda_device_bandwidth(i, quick), g.measured.memory_bandwidth);
  keep_bw(cuda_h2d_bandwidth(i, quick), g.measured.h2d_bandwidth);
  keep_bw(cuda_d2h_bandwidth(i, quick), g.measured.d2h_bandwidth);
  keep_flops(cuda_gemm_flops(i, GemmKind::Fp16, quick), g.measured.fp16);
  keep_flops(cuda_gemm_flops(i, GemmKind::Fp32, quick), g.measured.fp32);
}

/// GPUs through NVML, mapped to the catalog, measured with CUDA where built.
void probe_gpus(ProbeReport& r, const HwCatalog& cat) {
  auto nvml = Nvml::load();
  if (!nvml) {
    r.notes.push_back("gpu: " + nvml.error().message());
    // GPUs are found through NVML; a CUDA build still says what the CUDA runtime sees.
    if (cuda_probe_built()) {
      auto n = cuda_device_count();
      r.notes.push_back(n ? fmt::format("gpu: CUDA sees {} device(s), but without NVML they are "
                                        "not probed", *n)
                          : n.error().message());
    }
    return;
  }
  if (auto v = nvml->driver_version()) r.driver_version = *v;
  for (int i = 0; i < nvml->device_count(); ++i) {
    auto info = nvml->info(i);
    if (!info) {
      r.notes.push_back(fmt::format("gpu {}: {}", i, info.error().message()));
      continue;
    }
    GpuReport g;
    g.info = *info;
    auto id = match_gpu(cat, info->name, info->memory_total);
    if (id) {
      g.catalog_id = *id;
    } else {
      g.catalog_note = id.error().message();
    }
    if (cuda_probe_built()) measure_gpu(g, r.quick);
    r.gpus.push_back(std::move(g));
  }
  if (!cuda_probe_built())
    r.notes.push_back("gpu: GPU measurement not built (configure with -DWORTHIT_CUDA=ON)");
}

}  // namespace

std::string flop_rate_text(FlopsPerSec f) {
  if (f.base() < 1e12) return fmt::format("{:.4g} GFLOP/s", f.base() / 1e9);
  return fmt::format("{:.4g} TFLOP/s", to_tflops(f));
}

std::string pcie_link(const GpuInfo& g) {
  if (g.pcie_gen_max <= 0 || g.pcie_width_max <= 0) return "";
  return fmt::format("PCIe {}.0 x{}", g.pcie_gen_max, g.pcie_width_max);
}

ProbeReport collect_probe(const HwCatalog& cat, bool quick) {
  ProbeReport r;
  r.date = utc_now();
  r.hostname = host_name();
  r.quick = quick;
  r.method = std::string("worthit ") + WORTHIT_VERSION + " probe" + (quick ? " --quick" : "");
  r.host = detect_host();
  const int threads = std::max(r.host.threads, 1);
  auto bw = measure_read_bandwidth(
      default_bandwidth_options(r.host.l3_cache, r.host.memory_available, threads, quick));
  if (bw) {
    r.bandwidth = *bw;
  } else {
    r.notes.push_back("host bandwidth: " + bw.error().message());
  }
  auto fl = measure_fp32_flops({threads, seconds(quick ? 0.3 : 2.0)});
  if (fl) {
    r.flops = *fl;
  } else {
    r.notes.push_back("cpu fp32: " + fl.error().message());
  }
  probe_gpus(r, cat);
  if (auto rapl = read_rapl(); !rapl) r.notes.push_back("cpu energy: " + rapl.error().message());
  return r;
}

}  // namespace worthit::probe
