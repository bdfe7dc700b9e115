// SPDX-License-Identifier: MIT
// The system file `worthit probe --save` writes: GPU names mapped onto catalog ids, the
// [measured] tables parsed back (and their errors located), a save -> load round trip, and the
// optional CUDA probe compiling with nvcc when the toolkit is installed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "hw/catalog.h"
#include "probe/cuda_probe.h"
#include "probe/gpu_match.h"
#include "probe/report.h"

namespace worthit::probe {
namespace {

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

const HwCatalog& catalog() {
  static const HwCatalog cat = [] {
    auto c = load_hw_catalog(WORTHIT_DATA_DIR);
    if (!c) throw std::runtime_error(c.error().message());
    return *c;
  }();
  return cat;
}

struct Match {
  const char* reported;  ///< the name NVML gives
  double memory_gib;     ///< what NVML reports as total (0: unknown)
  const char* id;        ///< expected catalog id, or "" for no match
};

TEST(GpuMatch, DriverNamesMapOntoCatalogIds) {
  const Match cases[] = {
      {"NVIDIA GeForce RTX 4090", 23.99, "rtx-4090"},
      {"NVIDIA GeForce RTX 4070 Ti", 11.99, "rtx-4070-ti"},
      {"NVIDIA GeForce RTX 4070 Ti SUPER", 15.99, "rtx-4070-ti-super"},
      {"NVIDIA GeForce RTX 5070 Ti", 15.92, "rtx-5070-ti"},
      {"NVIDIA H100 PCIe", 79.6, "h100-pcie"},
      {"NVIDIA H100 80GB HBM3", 79.6, "h100-sxm"},
      {"NVIDIA A100-SXM4-80GB", 79.2, "a100-80gb-sxm"},
      {"NVIDIA A100-PCIE-40GB", 39.4, "a100-40gb-pcie"},
      {"NVIDIA GeForce RTX 3060", 11.76, "rtx-3060-12gb"},
      {"NVIDIA GeForce RTX 3060", 8.0, ""},  // the 8 GB board is not in the catalog
      {"NVIDIA H100 NVL", 93.0, ""},         // NVL is another product
      {"NVIDIA GeForce GTX 1080", 8.0, ""},
  };
  for (const auto& c : cases) {
    auto id = match_gpu(catalog(), c.reported, gib(c.memory_gib));
    EXPECT_EQ(id ? *id : std::string(), c.id) << c.reported << ": " << err(id);
  }
  EXPECT_EQ(err(match_gpu(catalog(), "NVIDIA GeForce GTX 1080", Bytes{})),
            "gpu: 'NVIDIA GeForce GTX 1080' matches no catalog device (write the [[gpu]] device "
            "id by hand (see `worthit systems`))");
}

/// A scratch directory removed at the end of the test.
class ProbeFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("worthit-probe-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

/// A report as a desktop with an RTX 4090 would give it (SMBIOS readable, CUDA built).
ProbeReport desktop_report() {
  ProbeReport r;
  r.date = "2026-11-23T10:00:00Z";
  r.hostname = "my \"box\"";
  r.method = "worthit 0.1.0 probe";
  r.host.cpu_model = "AMD Ryzen 7 5800X3D 8-Core Processor";
  r.host.cores = 8;
  r.host.threads = 16;
  r.host.memory_total = gib(62.7);
  DmiModule m{gib(32), "DDR4", 3200, 3200, 64, "DIMM_A2", "P0 CHANNEL A"};
  r.host.dmi.modules = {m, m};
  r.host.dmi.modules[1].bank = "P0 CHANNEL B";
  r.host.dmi.readable = true;
  BandwidthResult bw;
  bw.best = gb_per_s(41.3);
  r.bandwidth = bw;
  FlopsResult fl;
  fl.fp32 = tflop_per_s(1.2);
  r.flops = fl;
  GpuReport g;
  g.info = {0, "NVIDIA GeForce RTX 4090", gib(23.99), gib(1), 1, 4, 16, 16};
  g.catalog_id = "rtx-4090";
  g.measured.memory_bandwidth = gb_per_s(910);
  g.measured.h2d_bandwidth = gb_per_s(25.1);
  g.measured.fp16 = tflop_per_s(160);
  r.gpus.push_back(g);
  GpuReport unknown;
  unknown.info.index = 1;
  unknown.info.name = "NVIDIA GeForce GTX 1080";
  unknown.catalog_note = "no match";
  r.gpus.push_back(unknown);
  return r;
}

TEST_F(ProbeFiles, SavedSystemLoadsBackWithItsMeasurements) {
  auto text = system_toml(desktop_report());
  ASSERT_TRUE(text) << err(text);
  const std::string path = write("box.toml", *text);
  auto sys = resolve_system(catalog(), path);
  ASSERT_TRUE(sys) << err(sys) << "\n" << *text;
  ASSERT_EQ(sys->nodes.size(), 1u);
  const Node& n = sys->nodes[0];
  ASSERT_TRUE(n.host);
  EXPECT_EQ(n.host->cpu, "AMD Ryzen 7 5800X3D 8-Core Processor");
  EXPECT_EQ(n.host->memory_type, "DDR4-3200");
  EXPECT_EQ(n.host->channels, 2);
  EXPECT_DOUBLE_EQ(to_gbs(n.host->memory_bandwidth), 51.2);  // theoretical, not measured
  ASSERT_EQ(n.gpus.size(), 1u);  // the GPU not in the catalog is only a comment
  EXPECT_EQ(n.gpus[0].device.id, "rtx-4090");
  EXPECT_EQ(n.gpus[0].link, "PCIe 4.0 x16");
  ASSERT_TRUE(n.gpus[0].measured);
  EXPECT_DOUBLE_EQ(to_gbs(*n.gpus[0].measured->memory_bandwidth), 910);
  EXPECT_DOUBLE_EQ(to_gbs(*n.gpus[0].measured->h2d_bandwidth), 25.1);
  EXPECT_FALSE(n.gpus[0].measured->d2h_bandwidth);
  EXPECT_DOUBLE_EQ(to_tflops(*n.gpus[0].measured->fp16), 160);
  ASSERT_TRUE(sys->measured);
  EXPECT_EQ(sys->measured->date, "2026-11-23T10:00:00Z");
  EXPECT_EQ(sys->measured->method, "worthit 0.1.0 probe");
  EXPECT_DOUBLE_EQ(to_gbs(*sys->measured->memory_bandwidth), 41.3);
  EXPECT_DOUBLE_EQ(to_tflops(*sys->measured->cpu_fp32), 1.2);
  EXPECT_NE(text->find("# GPU 1: NVIDIA GeForce GTX 1080 is not written: no match"),
            std::string::npos);
}

TEST_F(ProbeFiles, WithoutSmbiosTheMeasuredBandwidthStandsIn) {
  ProbeReport r = desktop_report();
  r.host.dmi = DmiMemory{};
  r.gpus.clear();
  auto text = system_toml(r);
  ASSERT_TRUE(text) << err(text);
  auto sys = resolve_system(catalog(), write("plain.toml", *text));
  ASSERT_TRUE(sys) << err(sys);
  EXPECT_DOUBLE_EQ(to_gbs(sys->nodes[0].host->memory_bandwidth), 41.3);
  r.bandwidth.reset();
  EXPECT_EQ(err(system_toml(r)),
            "probe --save: neither a measured nor a theoretical host memory bandwidth is known");
}

TEST_F(ProbeFiles, MalformedMeasuredValuesAreLocated) {
  const std::string head =
      "id = \"x\"\n[host]\ncpu = \"c\"\nmemory = \"8 GiB\"\nbandwidth = \"20 GB/s\"\n";
  struct Bad {
    const char* body;
    const char* message;  ///< the whole message after "<path>:"
  };
  const Bad cases[] = {
      {"[measured]\nhost_bandwidth = \"fast\"\n",
       "8: measured.host_bandwidth: expected a number with a unit like \"273 GB/s\", got "
       "\"fast\""},
      {"[measured]\ncpu_fp32 = \"-1 TFLOP/s\"\n",
       "8: measured.cpu_fp32: negative value \"-1 TFLOP/s\""},
      {"[measured]\ncpu_fp32 = \"0 TFLOP/s\"\n", "8: measured.cpu_fp32: must be positive"},
      {"[measured]\ndate = \"yesterday\"\n",
       "8: measured.date: expected an RFC 3339 UTC time like \"2026-11-23T10:00:00Z\", got "
       "\"yesterday\""},
      {"[measured]\nhost_bw = \"1 GB/s\"\n", "8: measured.host_bw: unknown field"},
      {"[[gpu]]\ndevice = \"rtx-4090\"\nmeasured = { gpu_bandwidth = \"900\" }\n",
       "9: gpu[0].measured.gpu_bandwidth: missing unit in \"900\" (write it like \"273 GB/s\")"},
  };
  for (const auto& c : cases) {
    const std::string path = write("bad.toml", head + "\n" + c.body);
    auto def = load_system_file(path);
    ASSERT_FALSE(def) << c.body;
    EXPECT_EQ(def.error().message(), path + ":" + c.message);
  }
}

TEST_F(ProbeFiles, CliQuickProbeSavesALoadableSystem) {
  const std::string path = (dir_ / "me.toml").string();
  const std::string cmd = std::string(WORTHIT_BINARY) + " probe --quick --json --save " + path +
                          " 2>" + (dir_ / "stderr").string();
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(p);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, n);
  ASSERT_EQ(pclose(p.release()), 0) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["command"], "probe");
  EXPECT_EQ(j["detected"]["threads"].get<int>(),
            static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_GT(j["measured"]["host_bandwidth"]["best_gbs"].get<double>(), 0);
  EXPECT_GT(j["measured"]["cpu_fp32"]["gflops"].get<double>(), 1);
  EXPECT_EQ(j["saved"], path);
  auto sys = resolve_system(catalog(), path);
  ASSERT_TRUE(sys) << err(sys);
  ASSERT_TRUE(sys->measured);
  EXPECT_DOUBLE_EQ(
      to_gbs(*sys->measured->memory_bandwidth),
      std::stod(fmt::format("{:.4g}", j["measured"]["host_bandwidth"]["best_gbs"].get<double>())));
}

TEST(CudaProbe, SaysWhatIsMissing) {
  auto n = cuda_device_count();
  if (!cuda_probe_built()) {
    EXPECT_EQ(err(n), "gpu: GPU measurement not built (configure with -DWORTHIT_CUDA=ON)");
    EXPECT_EQ(err(cuda_gemm_flops(0, GemmKind::Fp16, true)), err(n));
  } else if (!n || *n == 0) {
    EXPECT_EQ(err(cuda_device_bandwidth(0, true)).rfind("gpu: no CUDA device (", 0), 0u);
  }
}

TEST(CudaProbe, CompilesWithNvccWhenInstalled) {
  const char* nvcc = "/usr/local/cuda/bin/nvcc";
  if (!std::filesystem::exists(nvcc))
    GTEST_SKIP() << "no CUDA toolkit at /usr/local/cuda/bin/nvcc: the CUDA probe is not compiled";
  const auto out = std::filesystem::temp_directory_path() /
                   ("worthit-nvcc-" +
                    std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(out);
  const std::string src = std::string(WORTHIT_TEST_DATA) + "/../../src";
  // One architecture keeps this to seconds; the real build compiles several.
  const std::string cmd = std::string(nvcc) + " -std=c++20 -arch=sm_80 -I " + src + " -c " + src +
                          "/probe/cuda_probe.cu -o " + (out / "cuda_probe.o").string() + " > " +
                          (out / "log.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream log(out / "log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << text;
  EXPECT_TRUE(std::filesystem::exists(out / "cuda_probe.o"));
  std::error_code ec;
  std::filesystem::remove_all(out, ec);
}

}  // namespace
}  // namespace worthit::probe
