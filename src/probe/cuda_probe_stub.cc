// SPDX-License-Identifier: MIT
// The CUDA probe in a build without -DWORTHIT_CUDA=ON: every measurement says so.
#include "probe/cuda_probe.h"

namespace worthit::probe {
namespace {

Failure not_built() {
  return fail("gpu", "GPU measurement not built (configure with -DWORTHIT_CUDA=ON)");
}

}  // namespace

bool cuda_probe_built() { return false; }
Result<int> cuda_device_count() { return not_built(); }
Result<BytesPerSec> cuda_device_bandwidth(int, bool) { return not_built(); }
Result<BytesPerSec> cuda_h2d_bandwidth(int, bool) { return not_built(); }
Result<BytesPerSec> cuda_d2h_bandwidth(int, bool) { return not_built(); }
Result<FlopsPerSec> cuda_gemm_flops(int, GemmKind, bool) { return not_built(); }

}  // namespace worthit::probe
