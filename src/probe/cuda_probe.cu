// SPDX-License-Identifier: MIT
// GPU measurements with the CUDA runtime and cuBLAS (built with -DWORTHIT_CUDA=ON only).
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "probe/cuda_probe.h"

namespace worthit::probe {
namespace {

/// A CUDA runtime error as a Result error, or Ok.
Status check(cudaError_t rc, const char* call) {
  if (rc == cudaSuccess) return Ok{};
  return fail("cuda", std::string(call) + ": " + cudaGetErrorString(rc));
}

Status check_blas(cublasStatus_t rc, const char* call) {
  if (rc == CUBLAS_STATUS_SUCCESS) return Ok{};
  return fail("cublas", std::string(call) + ": " + cublasGetStatusString(rc));
}

#define WORTHIT_CUDA_OK(expr) \
  if (auto s_ = (expr); !s_) return fail(s_.error())

struct DeviceFree {
  void operator()(void* p) const { cudaFree(p); }
};
struct HostFree {
  void operator()(void* p) const { cudaFreeHost(p); }
};
using DevicePtr = std::unique_ptr<void, DeviceFree>;
using HostPtr = std::unique_ptr<void, HostFree>;

/// Two events around the timed work, destroyed with the timer.
class Timer {
 public:
  Timer() {
    cudaEventCreate(&a_);
    cudaEventCreate(&b_);
  }
  ~Timer() {
    cudaEventDestroy(a_);
    cudaEventDestroy(b_);
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void start() { cudaEventRecord(a_); }
  /// Seconds since start(), after waiting for the work to finish.
  Result<double> stop() {
    cudaEventRecord(b_);
    WORTHIT_CUDA_OK(check(cudaEventSynchronize(b_), "cudaEventSynchronize"));
    float ms = 0;
    WORTHIT_CUDA_OK(check(cudaEventElapsedTime(&ms, a_, b_), "cudaEventElapsedTime"));
    return std::max(ms / 1000.0, 1e-9);
  }

 private:
  cudaEvent_t a_{}, b_{};
};

/// Selects `device`, failing cleanly when there is none.
Status use_device(int device) {
  int n = 0;
  cudaError_t rc = cudaGetDeviceCount(&n);
  if (rc != cudaSuccess || n == 0)
    return fail("gpu", std::string("no CUDA device (") +
                           (rc == cudaSuccess ? "the driver lists none" : cudaGetErrorString(rc)) +
                           ")");
  if (device < 0 || device >= n)
    return fail("gpu", "no CUDA device with index " + std::to_string(device));
  return check(cudaSetDevice(device), "cudaSetDevice");
}

Result<DevicePtr> device_alloc(size_t bytes) {
  void* p = nullptr;
  WORTHIT_CUDA_OK(check(cudaMalloc(&p, bytes), "cudaMalloc"));
  return DevicePtr(p);
}

__global__ void copy_kernel(const uint4* __restrict__ in, uint4* __restrict__ out, size_t n) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n; i += stride)
    out[i] = in[i];
}

/// Small values in [-0.06, 0.06]: sums of n products stay finite in FP16.
template <class T>
__global__ void fill_kernel(T* p, size_t n) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n; i += stride)
    p[i] = static_cast<T>(static_cast<float>(static_cast<int>(i % 13) - 6) * 0.01f);
}

/// Best of `reps` timings of `work` after one warm-up call; `work` returns a Status.
template <class Work>
Result<double> best_seconds(int reps, Work work) {
  Timer t;
  double best = 1e30;
  for (int r = 0; r <= reps; ++r) {
    t.start();
    WORTHIT_CUDA_OK(work());
    WORTHIT_TRY(s, t.stop());
    if (r > 0) best = std::min(best, s);  // round 0 warms up
  }
  return best;
}

}  // namespace

bool cuda_probe_built() { return true; }

Result<int> cuda_device_count() {
  int n = 0;
  cudaError_t rc = cudaGetDeviceCount(&n);
  if (rc != cudaSuccess)
    return fail("gpu", std::string("no CUDA device (") + cudaGetErrorString(rc) + ")");
  return n;
}

Result<BytesPerSec> cuda_device_bandwidth(int device, bool quick) {
  WORTHIT_CUDA_OK(use_device(device));
  const size_t bytes = (quick ? 256ull : 1024ull) << 20;
  WORTHIT_TRY(in, device_alloc(bytes));
  WORTHIT_TRY(out, device_alloc(bytes));
  WORTHIT_CUDA_OK(check(cudaMemset(in.get(), 1, bytes), "cudaMemset"));
  int sms = 0;
  WORTHIT_CUDA_OK(check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device),
                        "cudaDeviceGetAttribute"));
  const size_t n = bytes / sizeof(uint4);
  WORTHIT_TRY(s, best_seconds(quick ? 5 : 20, [&]() -> Status {
                copy_kernel<<<sms * 8, 256>>>(static_cast<const uint4*>(in.get()),
                                              static_cast<uint4*>(out.get()), n);
                return check(cudaGetLastError(), "copy kernel launch");
              }));
  return BytesPerSec{2.0 * static_cast<double>(bytes) / s};  // read and write
}

namespace {

Result<BytesPerSec> host_copy(int device, bool quick, bool to_device) {
  WORTHIT_CUDA_OK(use_device(device));
  const size_t bytes = (quick ? 64ull : 256ull) << 20;
  WORTHIT_TRY(dev, device_alloc(bytes));
  void* h = nullptr;
  WORTHIT_CUDA_OK(check(cudaMallocHost(&h, bytes), "cudaMallocHost"));
  HostPtr host(h);
  WORTHIT_TRY(s, best_seconds(quick ? 3 : 10, [&]() -> Status {
                return to_device
                           ? check(cudaMemcpy(dev.get(), host.get(), bytes, cudaMemcpyHostToDevice),
                                   "cudaMemcpy host to device")
                           : check(cudaMemcpy(host.get(), dev.get(), bytes, cudaMemcpyDeviceToHost),
                                   "cudaMemcpy device to host");
              }));
  return BytesPerSec{static_cast<double>(bytes) / s};
}

struct BlasFree {
  void operator()(cublasContext* h) const { cublasDestroy(h); }
};

}  // namespace

Result<BytesPerSec> cuda_h2d_bandwidth(int device, bool quick) {
  return host_copy(device, quick, true);
}

Result<BytesPerSec> cuda_d2h_bandwidth(int device, bool quick) {
  return host_copy(device, quick, false);
}

Result<FlopsPerSec> cuda_gemm_flops(int device, GemmKind kind, bool quick) {
  WORTHIT_CUDA_OK(use_device(device));
  const int n = quick ? 4096 : 8192;
  const size_t elem = kind == GemmKind::Fp32 ? 4 : 2;
  const size_t bytes = static_cast<size_t>(n) * n * elem;
  WORTHIT_TRY(a, device_alloc(bytes));
  WORTHIT_TRY(b, device_alloc(bytes));
  WORTHIT_TRY(c, device_alloc(bytes));
  // Non-zero data: tensor cores draw less power (and may clock higher) on zeros.
  const size_t count = static_cast<size_t>(n) * n;
  if (kind == GemmKind::Fp32) {
    fill_kernel<<<1024, 256>>>(static_cast<float*>(a.get()), count);
    fill_kernel<<<1024, 256>>>(static_cast<float*>(b.get()), count);
  } else {
    fill_kernel<<<1024, 256>>>(static_cast<__half*>(a.get()), count);
    fill_kernel<<<1024, 256>>>(static_cast<__half*>(b.get()), count);
  }
  WORTHIT_CUDA_OK(check(cudaGetLastError(), "fill kernel launch"));
  cublasHandle_t raw = nullptr;
  WORTHIT_CUDA_OK(check_blas(cublasCreate(&raw), "cublasCreate"));
  std::unique_ptr<cublasContext, BlasFree> blas(raw);
  WORTHIT_CUDA_OK(check_blas(cublasSetMathMode(raw, CUBLAS_DEFAULT_MATH), "cublasSetMathMode"));
  const float one = 1.0f, zero = 0.0f;
  WORTHIT_TRY(
      s, best_seconds(quick ? 3 : 10, [&]() -> Status {
        if (kind == GemmKind::Fp32)
          return check_blas(
              cublasSgemm(raw, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one,
                          static_cast<const float*>(a.get()), n, static_cast<const float*>(b.get()),
                          n, &zero, static_cast<float*>(c.get()), n),
              "cublasSgemm");
        return check_blas(cublasGemmEx(raw, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a.get(),
                                       CUDA_R_16F, n, b.get(), CUDA_R_16F, n, &zero, c.get(),
                                       CUDA_R_16F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                          "cublasGemmEx");
      }));
  return FlopsPerSec{2.0 * n * static_cast<double>(n) * n / s};
}

}  // namespace worthit::probe
