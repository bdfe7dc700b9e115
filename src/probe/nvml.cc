// SPDX-License-Identifier: MIT
#include "probe/nvml.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <array>

namespace worthit::probe {
namespace {

// The minimal slice of NVML's C ABI that worthit calls, declared from NVML's documentation.
using NvmlReturn = int;  // nvmlReturn_t: an enum, passed as int
using NvmlDevice = struct NvmlDeviceOpaque*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr NvmlReturn kNvmlInsufficientSize = 7;
constexpr unsigned long long kNvmlValueNotAvailable = ~0ULL;

struct NvmlMemory {  // nvmlMemory_t (v1), bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct NvmlProcessInfoV1 {  // nvmlProcessInfo_v1_t: nvmlDeviceGetComputeRunningProcesses
  unsigned int pid;
  unsigned long long used_gpu_memory;
};
struct NvmlProcessInfoV2 {  // nvmlProcessInfo_t as the _v2 and _v3 entry points take it
  unsigned int pid;
  unsigned long long used_gpu_memory;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};

using InitFn = NvmlReturn (*)();
using ErrorStringFn = const char* (*)(NvmlReturn);
using CountFn = NvmlReturn (*)(unsigned int*);
using HandleFn = NvmlReturn (*)(unsigned int, NvmlDevice*);
using NameFn = NvmlReturn (*)(NvmlDevice, char*, unsigned int);
using DriverFn = NvmlReturn (*)(char*, unsigned int);
using MemoryFn = NvmlReturn (*)(NvmlDevice, NvmlMemory*);
using UintFn = NvmlReturn (*)(NvmlDevice, unsigned int*);
using UllFn = NvmlReturn (*)(NvmlDevice, unsigned long long*);
using ProcsFn = NvmlReturn (*)(NvmlDevice, unsigned int*, void*);

constexpr const char* kWhere = "nvml";

}  // namespace

struct Nvml::Lib {
  void* handle = nullptr;
  InitFn shutdown = nullptr;
  ErrorStringFn error_string = nullptr;
  CountFn count = nullptr;
  HandleFn handle_by_index = nullptr;
  NameFn name = nullptr;
  DriverFn driver_version = nullptr;
  MemoryFn memory = nullptr;
  UintFn power = nullptr;
  UllFn energy = nullptr;
  UintFn pcie_gen_cur = nullptr, pcie_gen_max = nullptr;
  UintFn pcie_width_cur = nullptr, pcie_width_max = nullptr;
  ProcsFn procs = nullptr;
  bool procs_v2_layout = true;  // false: the old nvmlProcessInfo_v1_t layout

  Lib() = default;
  Lib(const Lib&) = delete;
  Lib& operator=(const Lib&) = delete;
  ~Lib() {
    if (shutdown) shutdown();
    if (handle) dlclose(handle);
  }

  template <class Fn>
  Fn sym(const char* name_) const {
    return reinterpret_cast<Fn>(dlsym(handle, name_));
  }

  /// "nvmlDeviceGetPowerUsage: Not Supported"
  Failure error(const char* call, NvmlReturn rc) const {
    const char* text = error_string ? error_string(rc) : nullptr;
    return fail(kWhere, fmt::format("{}: {}", call, text ? std::string(text) : fmt::format("error {}", rc)));
  }

  Result<NvmlDevice> device(int i) const {
    NvmlDevice d = nullptr;
    if (i < 0) return fail(kWhere, fmt::format("no GPU with index {}", i));
    NvmlReturn rc = handle_by_index(static_cast<unsigned>(i), &d);
    if (rc != kNvmlSuccess) return error("nvmlDeviceGetHandleByIndex_v2", rc);
    return d;
  }

  /// Calls a `(device, unsigned*)` getter that may be absent from an old driver.
  Result<unsigned> get_uint(UintFn fn, const char* call, int i) const {
    if (!fn) return fail(kWhere, fmt::format("{}: not in this driver's NVML", call));
    WORTHIT_TRY(d, device(i));
    unsigned v = 0;
    NvmlReturn rc = fn(d, &v);
    if (rc != kNvmlSuccess) return error(call, rc);
    return v;
  }
};

namespace {

/// Resolves the entry points; the first few are required, the rest stay null when absent.
Status resolve(Nvml::Lib& l) {
  l.error_string = l.sym<ErrorStringFn>("nvmlErrorString");
  l.count = l.sym<CountFn>("nvmlDeviceGetCount_v2");
  l.handle_by_index = l.sym<HandleFn>("nvmlDeviceGetHandleByIndex_v2");
  l.name = l.sym<NameFn>("nvmlDeviceGetName");
  l.memory = l.sym<MemoryFn>("nvmlDeviceGetMemoryInfo");
  if (!l.count || !l.handle_by_index || !l.name || !l.memory)
    return fail(kWhere, "libnvidia-ml.so.1 lacks the NVML v2 entry points (driver too old)");
  l.driver_version = l.sym<DriverFn>("nvmlSystemGetDriverVersion");
  l.power = l.sym<UintFn>("nvmlDeviceGetPowerUsage");
  l.energy = l.sym<UllFn>("nvmlDeviceGetTotalEnergyConsumption");
  l.pcie_gen_cur = l.sym<UintFn>("nvmlDeviceGetCurrPcieLinkGeneration");
  l.pcie_gen_max = l.sym<UintFn>("nvmlDeviceGetMaxPcieLinkGeneration");
  l.pcie_width_cur = l.sym<UintFn>("nvmlDeviceGetCurrPcieLinkWidth");
  l.pcie_width_max = l.sym<UintFn>("nvmlDeviceGetMaxPcieLinkWidth");
  for (const char* n : {"nvmlDeviceGetComputeRunningProcesses_v3",
                        "nvmlDeviceGetComputeRunningProcesses_v2"}) {
    if ((l.procs = l.sym<ProcsFn>(n))) break;
  }
  if (!l.procs) {
    l.procs = l.sym<ProcsFn>("nvmlDeviceGetComputeRunningProcesses");
    l.procs_v2_layout = false;
  }
  return Ok{};
}

/// Copies NVML's process records into ours, whichever struct layout the entry point used.
template <class Info>
std::vector<ProcessMemory> to_processes(const std::vector<Info>& raw, unsigned n) {
  std::vector<ProcessMemory> out;
  for (unsigned k = 0; k < n && k < raw.size(); ++k) {
    ProcessMemory p;
    p.pid = raw[k].pid;
    if (raw[k].used_gpu_memory != kNvmlValueNotAvailable)
      p.used_bytes = static_cast<int64_t>(raw[k].used_gpu_memory);
    out.push_back(p);
  }
  return out;
}

}  // namespace

Result<Nvml> Nvml::load() { return load("libnvidia-ml.so.1"); }

Result<Nvml> Nvml::load(const std::string& library) {
  auto lib = std::make_shared<Lib>();
  lib->handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle)
    return fail(kWhere, library + " not found (no NVIDIA driver)",
                "GPU figures need the NVIDIA driver's libnvidia-ml.so.1");
  WORTHIT_TRY(ok, resolve(*lib));
  (void)ok;
  auto init = lib->sym<InitFn>("nvmlInit_v2");
  if (!init) return fail(kWhere, library + " has no nvmlInit_v2 (driver too old)");
  NvmlReturn rc = init();
  if (rc != kNvmlSuccess) return lib->error("nvmlInit_v2", rc);
  lib->shutdown = lib->sym<InitFn>("nvmlShutdown");  // only once init succeeded
  return Nvml(std::move(lib));
}

int Nvml::device_count() const {
  unsigned n = 0;
  return lib_->count(&n) == kNvmlSuccess ? static_cast<int>(n) : 0;
}

Result<std::string> Nvml::driver_version() const {
  if (!lib_->driver_version)
    return fail(kWhere, "nvmlSystemGetDriverVersion: not in this driver's NVML");
  std::array<char, 96> buf{};
  NvmlReturn rc = lib_->driver_version(buf.data(), buf.size());
  if (rc != kNvmlSuccess) return lib_->error("nvmlSystemGetDriverVersion", rc);
  return std::string(buf.data());
}

Result<GpuInfo> Nvml::info(int i) const {
  WORTHIT_TRY(d, lib_->device(i));
  GpuInfo g;
  g.index = i;
  std::array<char, 96> name{};
  NvmlReturn rc = lib_->name(d, name.data(), name.size());
  if (rc != kNvmlSuccess) return lib_->error("nvmlDeviceGetName", rc);
  g.name = name.data();
  NvmlMemory m{};
  rc = lib_->memory(d, &m);
  if (rc != kNvmlSuccess) return lib_->error("nvmlDeviceGetMemoryInfo", rc);
  g.memory_total = Bytes{static_cast<double>(m.total)};
  g.memory_used = Bytes{static_cast<double>(m.used)};
  // The PCIe link is optional: integrated and virtual GPUs do not report it.
  auto link = [&](UintFn fn, const char* call) {
    auto v = lib_->get_uint(fn, call, i);
    return v ? static_cast<int>(*v) : 0;
  };
  g.pcie_gen_current = link(lib_->pcie_gen_cur, "nvmlDeviceGetCurrPcieLinkGeneration");
  g.pcie_gen_max = link(lib_->pcie_gen_max, "nvmlDeviceGetMaxPcieLinkGeneration");
  g.pcie_width_current = link(lib_->pcie_width_cur, "nvmlDeviceGetCurrPcieLinkWidth");
  g.pcie_width_max = link(lib_->pcie_width_max, "nvmlDeviceGetMaxPcieLinkWidth");
  return g;
}

Result<double> Nvml::power_w(int i) const {
  WORTHIT_TRY(mw, lib_->get_uint(lib_->power, "nvmlDeviceGetPowerUsage", i));
  return mw / 1000.0;
}

Result<double> Nvml::energy_j(int i) const {
  if (!lib_->energy)
    return fail(kWhere, "nvmlDeviceGetTotalEnergyConsumption: not in this driver's NVML");
  WORTHIT_TRY(d, lib_->device(i));
  unsigned long long mj = 0;
  NvmlReturn rc = lib_->energy(d, &mj);
  if (rc != kNvmlSuccess) return lib_->error("nvmlDeviceGetTotalEnergyConsumption", rc);
  return static_cast<double>(mj) / 1000.0;
}

Result<int64_t> Nvml::memory_used_bytes(int i) const {
  WORTHIT_TRY(d, lib_->device(i));
  NvmlMemory m{};
  NvmlReturn rc = lib_->memory(d, &m);
  if (rc != kNvmlSuccess) return lib_->error("nvmlDeviceGetMemoryInfo", rc);
  return static_cast<int64_t>(m.used);
}

Result<std::vector<ProcessMemory>> Nvml::processes(int i) const {
  constexpr const char* kCall = "nvmlDeviceGetComputeRunningProcesses";
  if (!lib_->procs) return fail(kWhere, fmt::format("{}: not in this driver's NVML", kCall));
  WORTHIT_TRY(d, lib_->device(i));
  // Ask for the count first; processes may start in between, so leave room for a few more.
  unsigned n = 0;
  NvmlReturn rc = lib_->procs(d, &n, nullptr);
  if (rc == kNvmlSuccess) return std::vector<ProcessMemory>{};
  if (rc != kNvmlInsufficientSize) return lib_->error(kCall, rc);
  n += 8;
  if (lib_->procs_v2_layout) {
    std::vector<NvmlProcessInfoV2> raw(n);
    rc = lib_->procs(d, &n, raw.data());
    if (rc != kNvmlSuccess) return lib_->error(kCall, rc);
    return to_processes(raw, n);
  }
  std::vector<NvmlProcessInfoV1> raw(n);
  rc = lib_->procs(d, &n, raw.data());
  if (rc != kNvmlSuccess) return lib_->error(kCall, rc);
  return to_processes(raw, n);
}

}  // namespace worthit::probe
