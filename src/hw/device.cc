// SPDX-License-Identifier: MIT
#include "hw/device.h"

#include <fmt/format.h>

#include <regex>

namespace worthit {

const char* backend_prefix(Backend b) {
  switch (b) {
    case Backend::Cuda: return "CUDA";
    case Backend::Rocm: return "ROCm";
    case Backend::Metal: return "Metal";
    case Backend::Vulkan: return "Vulkan";
    case Backend::Sycl: return "SYCL";
    case Backend::Cpu: return "CPU";
  }
  return "CPU";
}

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::Cuda: return "cuda";
    case Backend::Rocm: return "rocm";
    case Backend::Metal: return "metal";
    case Backend::Vulkan: return "vulkan";
    case Backend::Sycl: return "sycl";
    case Backend::Cpu: return "cpu";
  }
  return "cpu";
}

Result<BytesPerSec> pcie_bandwidth(const std::string& link) {
  // Per-lane, per-direction rates after 128b/130b (gen 3+) or 8b/10b (gen 1-2) encoding
  // [facts.md B3, S-PCIE-TBL].
  static const std::regex re(R"(PCIe\s*([1-6])(?:\.0)?\s*x\s*(16|8|4|2|1)\b)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(link, m, re))
    return fail("link", fmt::format("expected a PCIe link like \"PCIe 4.0 x16\", got \"{}\"", link));
  static const double per_lane_gbs[] = {0, 0.25, 0.5, 0.985, 1.969, 3.938, 7.563};
  int gen = std::stoi(m[1]);
  int lanes = std::stoi(m[2]);
  return gb_per_s(per_lane_gbs[gen] * lanes);
}

}  // namespace worthit
