// SPDX-License-Identifier: MIT
#include "perf/efficiency.h"

#include <fmt/format.h>

#include "core/toml_reader.h"

namespace worthit {

double Efficiency::bandwidth(Backend b, bool unified) const {
  switch (b) {
    case Backend::Cuda: return unified ? bw_cuda_unified : bw_cuda_vram;
    case Backend::Metal: return bw_metal;
    case Backend::Rocm: return bw_rocm;
    case Backend::Vulkan: return bw_vulkan;
    case Backend::Sycl: return bw_sycl;
    case Backend::Cpu: return bw_cpu;
  }
  return bw_cpu;
}

double Efficiency::flops(Backend b) const {
  switch (b) {
    case Backend::Cuda: return flops_cuda;
    case Backend::Metal: return flops_metal;
    case Backend::Rocm: return flops_rocm;
    case Backend::Vulkan: return flops_vulkan;
    case Backend::Sycl: return flops_sycl;
    case Backend::Cpu: return flops_cpu;
  }
  return flops_cpu;
}

double Efficiency::kernel(GgmlType t) const {
  switch (t) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16: return 1.0;
    case GgmlType::Q8_0: return kq_q8;
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1: return kq_legacy;
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K: return kq_kquant;
    case GgmlType::MXFP4: return kq_mxfp4;
    default: return kq_iquant;  // IQ*, TQ*: codebook and ternary types
  }
}

const std::vector<EfficiencyParam>& efficiency_params() {
  static const std::vector<EfficiencyParam> p = {
      {"bw_cuda_vram", &Efficiency::bw_cuda_vram, 0.3, 1.0, "fraction of VRAM bandwidth, CUDA"},
      {"bw_cuda_unified", &Efficiency::bw_cuda_unified, 0.3, 1.0, "fraction of unified LPDDR bandwidth, CUDA (DGX Spark, Jetson)"},
      {"bw_metal", &Efficiency::bw_metal, 0.3, 1.0, "fraction of unified memory bandwidth, Metal"},
      {"bw_rocm", &Efficiency::bw_rocm, 0.3, 1.0, "fraction of VRAM bandwidth, ROCm"},
      {"bw_vulkan", &Efficiency::bw_vulkan, 0.3, 1.0, "fraction of memory bandwidth, Vulkan"},
      {"bw_sycl", &Efficiency::bw_sycl, 0.3, 1.0, "fraction of VRAM bandwidth, SYCL"},
      {"bw_cpu", &Efficiency::bw_cpu, 0.2, 1.0, "fraction of DRAM bandwidth the CPU backend streams"},
      {"flops_cuda", &Efficiency::flops_cuda, 0.02, 1.0, "fraction of dense FP16 tensor peak in prompt processing, CUDA"},
      {"flops_metal", &Efficiency::flops_metal, 0.02, 1.0, "fraction of FP32 peak in prompt processing, Metal"},
      {"flops_rocm", &Efficiency::flops_rocm, 0.02, 1.0, "fraction of dense FP16 peak, ROCm"},
      {"flops_vulkan", &Efficiency::flops_vulkan, 0.02, 1.0, "fraction of dense FP16 peak, Vulkan"},
      {"flops_sycl", &Efficiency::flops_sycl, 0.02, 1.0, "fraction of dense FP16 peak, SYCL"},
      {"flops_cpu", &Efficiency::flops_cpu, 0.02, 1.0, "fraction of FP32 peak of the CPU cores"},
      {"gpu_layer_us", &Efficiency::gpu_layer_us, 0.0, 200.0, "microseconds per layer per token on a GPU"},
      {"metal_layer_us", &Efficiency::metal_layer_us, 0.0, 300.0, "microseconds per layer per token on a Metal GPU"},
      {"ollama_token_ms", &Efficiency::ollama_token_ms, 0.0, 20.0, "milliseconds per generated token added by ollama's runner"},
      {"cpu_layer_us", &Efficiency::cpu_layer_us, 0.0, 500.0, "microseconds per layer per token on the CPU"},
      {"token_ms", &Efficiency::token_ms, 0.0, 20.0, "milliseconds per generated token outside the layers"},
      {"pcie", &Efficiency::pcie, 0.1, 1.0, "fraction of PCIe bandwidth for weight copies to the GPU"},
      {"kq_q8", &Efficiency::kq_q8, 0.3, 1.5, "GPU mat-vec speed of Q8_0 weights relative to F16"},
      {"kq_legacy", &Efficiency::kq_legacy, 0.3, 1.5, "GPU mat-vec speed of Q4_0/Q4_1/Q5_0/Q5_1 relative to F16"},
      {"kq_kquant", &Efficiency::kq_kquant, 0.3, 1.5, "GPU mat-vec speed of K-quants (Q2_K..Q6_K) relative to F16"},
      {"kq_iquant", &Efficiency::kq_iquant, 0.3, 1.5, "GPU mat-vec speed of IQ types relative to F16"},
      {"kq_mxfp4", &Efficiency::kq_mxfp4, 0.3, 1.5, "GPU mat-vec speed of MXFP4 relative to F16"},
      {"gpu_stream", &Efficiency::gpu_stream, 0.005, 0.2, "bytes/s a GPU streams in mat-vec per FLOP/s of FP32 peak (SM count x clock)"},
      {"power_busy", &Efficiency::power_busy, 0.1, 1.0, "fraction of (max - idle) power a device draws streaming weights in decode"},
      {"power_wait", &Efficiency::power_wait, 0.0, 0.8, "fraction of (max - idle) power a device draws waiting for another stage"},
      {"power_idle", &Efficiency::power_idle, 0.02, 0.5, "idle draw as a fraction of max where the catalog has none"},
      {"expert_locality", &Efficiency::expert_locality, 1.0, 16.0, "prompt tokens per independent expert choice in MoE prefill (routing overlap)"},
  };
  return p;
}

Result<Efficiency> load_efficiency(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  WORTHIT_TRY(source, r.opt_string("source"));
  (void)source;
  Efficiency e;
  for (const auto& p : efficiency_params()) {
    WORTHIT_TRY(v, r.opt_number(p.name));
    if (!v) return fail(r.error_at(p.name, "required field is missing"));
    if (*v < p.lo || *v > p.hi)
      return fail(r.error_at(p.name, fmt::format("must be in [{}, {}], got {}", p.lo, p.hi, *v)));
    e.*p.field = *v;
  }
  for (auto [key, dst] : {std::pair{"range_tg_low", &e.range_tg_low},
                          std::pair{"range_tg_high", &e.range_tg_high},
                          std::pair{"range_pp_low", &e.range_pp_low},
                          std::pair{"range_pp_high", &e.range_pp_high}}) {
    WORTHIT_TRY(v, r.opt_number(key));
    if (v) *dst = *v;
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return e;
}

std::string efficiency_toml(const Efficiency& e, const std::string& header) {
  std::string out = header;
  for (const auto& p : efficiency_params())
    out += fmt::format("{} = {:.4g}  # {}\n", p.name, e.*p.field, p.meaning);
  return out;
}

}  // namespace worthit
