// SPDX-License-Identifier: MIT
// The probes of this machine: NVML (absent here: a clean error), RAPL (readable or a clean error
// naming the path), process RSS, the power sampler against a fake source.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "probe/nvml.h"
#include "probe/power_sampler.h"
#include "probe/proc.h"
#include "probe/rapl.h"

namespace worthit::probe {
namespace {

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

/// A scratch directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             (name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
              "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

TEST(Nvml, LoadsOrFailsCleanly) {
  auto nvml = Nvml::load();
  if (!nvml) {
    EXPECT_EQ(err(nvml),
              "nvml: libnvidia-ml.so.1 not found (no NVIDIA driver) (GPU figures need the NVIDIA "
              "driver's libnvidia-ml.so.1)");
    return;
  }
  // A machine with the driver: at least one device, and each one describes itself.
  ASSERT_GE(nvml->device_count(), 1);
  auto info = nvml->info(0);
  ASSERT_TRUE(info) << err(info);
  EXPECT_FALSE(info->name.empty());
  EXPECT_GT(info->memory_total.base(), 0);
}

TEST(Nvml, MissingLibraryNamesIt) {
  auto nvml = Nvml::load("/nonexistent/libnvidia-ml.so.1");
  EXPECT_EQ(err(nvml),
            "nvml: /nonexistent/libnvidia-ml.so.1 not found (no NVIDIA driver) (GPU figures "
            "need the NVIDIA driver's libnvidia-ml.so.1)");
}

TEST(Rapl, ReadsOrNamesThePath) {
  auto r = read_rapl();
  if (r) {
    ASSERT_FALSE(r->empty());
    for (const auto& z : *r) EXPECT_GE(z.energy_j, 0) << z.path;
  } else {
    EXPECT_NE(err(r).find("/sys/class/powercap"), std::string::npos) << err(r);
  }
}

TEST(Rapl, ReadsFixtureZonesAndSkipsSubzones) {
  TempDir d("worthit-rapl");
  d.write("intel-rapl:0/energy_uj", "1500000\n");
  d.write("intel-rapl:0/max_energy_range_uj", "262143328850\n");
  d.write("intel-rapl:0/name", "package-0\n");
  d.write("intel-rapl:0:0/energy_uj", "99\n");  // the core sub-zone: part of the package
  auto r = read_rapl(d.path.string());
  ASSERT_TRUE(r) << err(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "package-0");
  EXPECT_DOUBLE_EQ((*r)[0].energy_j, 1.5);
  EXPECT_DOUBLE_EQ((*r)[0].max_range_j, 262143.32885);
}

TEST(Rapl, BadCounterAndNoZonesAreErrors) {
  TempDir d("worthit-rapl-bad");
  EXPECT_EQ(err(read_rapl(d.path.string())),
            d.path.string() + ": no intel-rapl package zone (CPU package energy needs RAPL "
                              "(powercap) exposed to this process)");
  d.write("intel-rapl:0/energy_uj", "lots\n");
  EXPECT_EQ(err(read_rapl(d.path.string())),
            (d.path / "intel-rapl:0/energy_uj").string() +
                ": expected a number of microjoules, got \"lots\"");
}

TEST(Rapl, EnergyBetweenHandlesWrap) {
  std::vector<RaplReading> a{{"/z0", "package-0", 90.0, 100.0}};
  std::vector<RaplReading> b{{"/z0", "package-0", 5.0, 100.0}};
  auto d = rapl_energy_between(a, b);
  ASSERT_TRUE(d) << err(d);
  EXPECT_DOUBLE_EQ(*d, 15.0);
  a[0].max_range_j = 0;
  EXPECT_EQ(err(rapl_energy_between(a, b)),
            "/z0: energy counter went back and its wrap range is unknown");
  EXPECT_EQ(err(rapl_energy_between(a, {})), "rapl: the zones changed between the two readings");
}

TEST(ProcRss, ParsesStatusText) {
  auto r = parse_vmrss("Name:\tcat\nVmPeak:\t  9000 kB\nVmRSS:\t    1024 kB\nThreads: 1\n");
  ASSERT_TRUE(r) << err(r);
  EXPECT_DOUBLE_EQ(r->base(), 1024.0 * 1024.0);
  EXPECT_EQ(err(parse_vmrss("Name:\tkthreadd\n")),
            "VmRSS: no VmRSS line (a kernel thread or a process that has exited)");
  EXPECT_EQ(err(parse_vmrss("VmRSS:\t12 MB\n")),
            "VmRSS: expected a size like \"123456 kB\", got \"12 MB\"");
}

TEST(ProcRss, ThisProcessIsPositiveAndBelowMemTotal) {
  auto rss = process_rss();
  ASSERT_TRUE(rss) << err(rss);
  auto meminfo = read_text_file("/proc/meminfo");
  ASSERT_TRUE(meminfo) << err(meminfo);
  const auto pos = meminfo->find("MemTotal:");
  ASSERT_NE(pos, std::string::npos);
  const double total_bytes = std::stod(meminfo->substr(pos + 9)) * 1024.0;
  EXPECT_GT(rss->base(), 0);
  EXPECT_LT(rss->base(), total_bytes);
  EXPECT_EQ(err(process_rss(-5)), "/proc/-5/status: cannot read: No such file or directory");
}

/// A GPU that draws 100 W, then 300 W, with an energy counter advancing 1 J per call.
class FakeSource : public GpuTelemetrySource {
 public:
  Result<double> power_w() override { return calls_++ < 2 ? 100.0 : 300.0; }
  Result<double> energy_j() override { return energy_ += 1.0; }
  Result<int64_t> memory_used_bytes() override {
    return fail("nvml", "nvmlDeviceGetMemoryInfo: Not Supported");
  }

 private:
  std::atomic<int> calls_{0};
  double energy_ = 1000.0;
};

TEST(PowerSampler, SamplesAtTwentyHertzAndSummarises) {
  PowerSampler s(std::make_shared<FakeSource>(), std::chrono::milliseconds(20));
  ASSERT_TRUE(s.start());
  EXPECT_EQ(err(s.start()), "power sampler: start() called twice without stop()");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  PowerSummary sum = s.stop();
  EXPECT_GE(sum.samples, 5);  // 20 ms period over 250 ms, with slack for a loaded machine
  EXPECT_EQ(sum.samples, static_cast<int64_t>(sum.raw.size()));
  ASSERT_TRUE(sum.power_max_w);
  EXPECT_DOUBLE_EQ(*sum.power_max_w, 300.0);
  EXPECT_GT(*sum.power_avg_w, 100.0);
  EXPECT_LT(*sum.power_avg_w, 300.0);
  ASSERT_TRUE(sum.energy_j);
  EXPECT_DOUBLE_EQ(*sum.energy_j, 1.0);
  EXPECT_FALSE(sum.memory_used_max_bytes);
  ASSERT_EQ(sum.notes.size(), 1u);  // one note, however many samples failed
  EXPECT_EQ(sum.notes[0], "memory: nvml: nvmlDeviceGetMemoryInfo: Not Supported");
  EXPECT_GE(sum.duration_s, 0.25);
  EXPECT_EQ(s.stop().samples, 0);  // stop() without start(): an empty summary
}

}  // namespace
}  // namespace worthit::probe
