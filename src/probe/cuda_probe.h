// SPDX-License-Identifier: MIT
// GPU measurements through the CUDA runtime and cuBLAS. Built only with -DWORTHIT_CUDA=ON
// (cuda_probe.cu); otherwise cuda_probe_stub.cc answers every call with "GPU measurement not
// built (configure with -DWORTHIT_CUDA=ON)". A build with CUDA on a machine without a GPU answers
// "no CUDA device (...)". Every figure is the best of several timed repetitions after a warm-up.
#pragma once

#include <string>

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// True in a build configured with -DWORTHIT_CUDA=ON.
bool cuda_probe_built();

/// Number of CUDA devices; fails with "no CUDA device (...)" or "GPU measurement not built".
Result<int> cuda_device_count();

/// Device memory bandwidth of a copy kernel: (bytes read + bytes written) / time, decimal.
/// `quick` uses a 256 MiB buffer instead of 1 GiB and fewer repetitions.
Result<BytesPerSec> cuda_device_bandwidth(int device, bool quick);

/// Host-to-device copy bandwidth from pinned (page-locked) host memory.
Result<BytesPerSec> cuda_h2d_bandwidth(int device, bool quick);

/// Device-to-host copy bandwidth into pinned host memory.
Result<BytesPerSec> cuda_d2h_bandwidth(int device, bool quick);

/// Which GEMM to time.
enum class GemmKind {
  Fp32,  ///< cublasSgemm: FP32 in and out (TF32 tensor cores not allowed)
  Fp16,  ///< cublasGemmEx: FP16 in and out, FP32 accumulate (what llama.cpp's cuBLAS path uses)
};

/// Square GEMM throughput (2 n^3 FLOP per call), n = 8192, or 4096 with `quick`.
Result<FlopsPerSec> cuda_gemm_flops(int device, GemmKind kind, bool quick);

}  // namespace worthit::probe
