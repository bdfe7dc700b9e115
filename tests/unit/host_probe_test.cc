// SPDX-License-Identifier: MIT
// Host detection on fixture text (x86 and aarch64 /proc/cpuinfo, /proc/meminfo, an SMBIOS type 17
// record) and on this machine, plus short runs of the bandwidth and FLOP/s measurements.
// Measured figures are only checked for plausibility: other builds share this machine's cores.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "probe/cpu_flops.h"
#include "probe/dmi.h"
#include "probe/host.h"
#include "probe/membw.h"
#include "probe/proc.h"

namespace worthit::probe {
namespace {

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

// Two cores with two hardware threads each, from an Intel desktop (flags shortened).
constexpr const char* kX86CpuInfo = R"(processor	: 0
vendor_id	: GenuineIntel
model name	: 13th Gen Intel(R) Core(TM) i5-13400
physical id	: 0
siblings	: 4
core id		: 0
cpu cores	: 2
flags		: fpu sse sse2 avx f16c fma avx2 avx_vnni sha_ni

processor	: 1
model name	: 13th Gen Intel(R) Core(TM) i5-13400
physical id	: 0
core id		: 0
flags		: fpu sse sse2 avx f16c fma avx2 avx_vnni sha_ni

processor	: 2
model name	: 13th Gen Intel(R) Core(TM) i5-13400
physical id	: 0
core id		: 1
flags		: fpu sse sse2 avx f16c fma avx2 avx_vnni sha_ni

processor	: 3
model name	: 13th Gen Intel(R) Core(TM) i5-13400
physical id	: 0
core id		: 1
flags		: fpu sse sse2 avx f16c fma avx2 avx_vnni sha_ni
)";

// An Ampere Altra (Neoverse-N1) as arm64 kernels print it: no model name, no core ids.
constexpr const char* kArmCpuInfo = R"(processor	: 0
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

processor	: 1
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1
)";

TEST(HostParse, X86CpuInfo) {
  CpuInfoText c = parse_cpuinfo(kX86CpuInfo);
  EXPECT_EQ(c.model, "13th Gen Intel(R) Core(TM) i5-13400");
  EXPECT_EQ(c.arch, "x86_64");
  EXPECT_EQ(c.logical_cpus, 4);
  EXPECT_EQ(c.cores, 2);
  EXPECT_EQ(c.sockets, 1);
  EXPECT_EQ(c.isa, (std::vector<std::string>{"avx", "f16c", "fma", "avx2", "avx_vnni"}));
}

TEST(HostParse, Aarch64CpuInfo) {
  CpuInfoText c = parse_cpuinfo(kArmCpuInfo);
  EXPECT_EQ(c.model, "Neoverse-N1");
  EXPECT_EQ(c.arch, "aarch64");
  EXPECT_EQ(c.logical_cpus, 2);
  EXPECT_EQ(c.cores, 0);  // not listed: detect_host() falls back to sysfs topology
  EXPECT_EQ(c.isa, (std::vector<std::string>{"asimd", "asimddp"}));
  EXPECT_EQ(parse_cpuinfo("CPU implementer\t: 0x51\nCPU part\t: 0x802\n").model,
            "Arm core (implementer 0x51, part 0x802)");
}

TEST(HostParse, OddCpuInfoGivesUnknownNotACrash) {
  for (const char* text : {"", ":::\n\n", "processor\n", "flags\t:\nmodel name :\n", "\xff\xfe"}) {
    CpuInfoText c = parse_cpuinfo(text);
    EXPECT_TRUE(c.isa.empty()) << text;
    EXPECT_EQ(c.cores, 0) << text;
  }
}

TEST(HostParse, MemInfo) {
  auto m = parse_meminfo("MemTotal:       16318412 kB\nMemFree:  1 kB\nMemAvailable:   8000 kB\n");
  ASSERT_TRUE(m) << err(m);
  EXPECT_DOUBLE_EQ(m->total.base(), 16318412.0 * 1024);
  EXPECT_DOUBLE_EQ(m->available.base(), 8000.0 * 1024);
  EXPECT_EQ(err(parse_meminfo("MemFree: 1 kB\n")), "MemTotal: no MemTotal line");
  EXPECT_EQ(err(parse_meminfo("MemTotal: lots\n")),
            "MemTotal: expected a size like \"16318412 kB\", got \"lots\"");
}

TEST(HostParse, CacheSize) {
  EXPECT_DOUBLE_EQ(parse_cache_size("32768K\n")->base(), 32.0 * 1048576);
  EXPECT_DOUBLE_EQ(parse_cache_size("1M")->base(), 1048576.0);
  EXPECT_EQ(err(parse_cache_size("big")), "cache size: expected a size like \"32768K\", got \"big\"");
}

/// A SMBIOS 3.3 type 17 record: 16 GiB DDR5, 4800 MT/s rated, 5600 configured, 64-bit data.
std::string type17(uint16_t size_field, uint8_t type_code, const std::string& bank) {
  std::string r(0x5C, '\0');
  r[0] = 17;
  r[1] = 0x5C;
  auto put16 = [&](size_t off, uint16_t v) {
    r[off] = static_cast<char>(v & 0xFF);
    r[off + 1] = static_cast<char>(v >> 8);
  };
  put16(0x08, 64);
  put16(0x0A, 64);
  put16(0x0C, size_field);
  r[0x10] = 1;  // device locator: string 1
  r[0x11] = 2;  // bank locator: string 2
  r[0x12] = static_cast<char>(type_code);
  put16(0x15, 4800);
  put16(0x20, 5600);
  return r + "DIMM_A1" + '\0' + bank + '\0' + '\0';
}

TEST(Dmi, DecodesType17) {
  auto m = parse_dmi_type17(type17(16384, 0x22, "P0 CHANNEL A"));
  ASSERT_TRUE(m) << err(m);
  EXPECT_DOUBLE_EQ(m->size.base(), gib(16).base());
  EXPECT_EQ(m->type, "DDR5");
  EXPECT_EQ(m->speed_mts, 4800);
  EXPECT_EQ(m->configured_mts, 5600);
  EXPECT_EQ(m->locator, "DIMM_A1");
  EXPECT_EQ(m->bank, "P0 CHANNEL A");
  DmiMemory mem;
  mem.modules = {*m, *parse_dmi_type17(type17(16384, 0x22, "P0 CHANNEL B"))};
  EXPECT_EQ(mem.memory_type(), "DDR5-5600");
  EXPECT_EQ(mem.channels(), 2);
  EXPECT_DOUBLE_EQ(to_gbs(mem.peak_bandwidth()), 89.6);
  EXPECT_DOUBLE_EQ(parse_dmi_type17(type17(0, 0x22, "x"))->size.base(), 0);  // empty slot
  EXPECT_EQ(err(parse_dmi_type17(std::string("\x11\x10", 2))),
            "smbios: type 17 structure too short (2 bytes)");
  EXPECT_EQ(err(parse_dmi_type17("")), "smbios: not a type 17 (Memory Device) structure");
  EXPECT_EQ(err(read_dmi_memory("/nonexistent/dmi")),
            "/nonexistent/dmi: cannot read: No such file or directory (memory type and speed "
            "need SMBIOS tables (usually readable by root only))");
}

/// MemTotal of this machine, from /proc/meminfo.
double mem_total_bytes() {
  auto text = read_text_file("/proc/meminfo");
  return text ? parse_meminfo(*text).value_or(MemInfo{}).total.base() : 0;
}

TEST(HostDetect, ThisMachine) {
  HostInfo h = detect_host();
  EXPECT_EQ(h.threads, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_GE(h.cores, 1);
  EXPECT_LE(h.cores, h.threads);
  EXPECT_FALSE(h.cpu_model.empty());
  const double total = mem_total_bytes();
  ASSERT_GT(total, 0);
  EXPECT_NEAR(h.memory_total.base(), total, total * 0.01);
  for (const auto& n : h.notes) std::printf("note: %s\n", n.c_str());
}

/// The first line of a command's output holding `key`, or "" when the command is missing.
std::string tool_line(const char* cmd, const char* key) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd, "r"), pclose);
  if (!p) return "";
  char buf[512];
  while (fgets(buf, sizeof buf, p.get()))
    if (std::string(buf).find(key) != std::string::npos) return buf;
  return "";
}

TEST(HostMeasure, ReadBandwidthIsPlausible) {
  HostInfo h = detect_host();
  BandwidthOptions o = default_bandwidth_options(h.l3_cache, h.memory_available, h.threads, true);
  auto bw = measure_read_bandwidth(o);
  ASSERT_TRUE(bw) << err(bw);
  EXPECT_GT(to_gbs(bw->best), 0.1);
  EXPECT_LT(to_gbs(bw->best), 1000);
  EXPECT_LE(bw->mean, bw->best);
  std::printf("worthit read bandwidth: %.1f GB/s (%d threads, %.0f MiB, %.2f s)\n",
              to_gbs(bw->best), bw->threads, to_mib(bw->buffer), bw->elapsed.base());
  // Other tools' figures beside ours, when installed (not required).
  const std::string mbw = tool_line("mbw -q -n 3 256 2>/dev/null", "AVG");
  if (!mbw.empty()) std::printf("mbw (single thread copy, MiB/s): %s", mbw.c_str());
  const std::string sb = tool_line(
      "sysbench memory --memory-oper=read --memory-total-size=4G --threads=0 run 2>/dev/null",
      "MiB/sec");
  if (!sb.empty()) std::printf("sysbench memory read: %s", sb.c_str());
  EXPECT_EQ(err(measure_read_bandwidth({mib(0.5), 1, 1})),
            "membw: need at least 1 thread, 1 pass and a 1 MiB buffer");
}

TEST(HostMeasure, BandwidthOptionsFollowCacheAndMemory) {
  BandwidthOptions o = default_bandwidth_options(mib(256), gib(64), 16, false);
  EXPECT_DOUBLE_EQ(o.buffer.base(), gib(2).base());  // 8 x LLC beats 1 GiB
  EXPECT_EQ(o.passes, 8);
  o = default_bandwidth_options(Bytes{}, gib(2), 4, true);
  EXPECT_DOUBLE_EQ(o.buffer.base(), mib(256).base());
  o = default_bandwidth_options(mib(32), gib(1), 4, false);
  EXPECT_DOUBLE_EQ(o.buffer.base(), mib(256).base());  // a quarter of what is available
}

TEST(HostMeasure, Fp32FlopsArePlausible) {
  auto f = measure_fp32_flops({static_cast<int>(std::thread::hardware_concurrency()),
                               seconds(0.3)});
  ASSERT_TRUE(f) << err(f);
  EXPECT_GT(f->fp32.base(), 1e9);
  EXPECT_LT(f->fp32.base(), 100e12);
  EXPECT_EQ(f->kernel, fp32_kernel_name());
  std::printf("worthit FP32: %.1f GFLOP/s (%s, %d threads)\n", f->fp32.base() / 1e9,
              f->kernel.c_str(), f->threads);
  EXPECT_EQ(err(measure_fp32_flops({0, seconds(1)})),
            "cpu flops: need at least 1 thread and a positive duration");
}

}  // namespace
}  // namespace worthit::probe
