// SPDX-License-Identifier: MIT
// Every catalog file in data/ loads and satisfies the invariants; system specs resolve and
// compose; bad catalog files (tests/data/bad/catalog) give whole, located error messages.
#include "hw/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"
#include "model/model_catalog.h"

namespace worthit {
namespace {

namespace fs = std::filesystem;

const std::string kData = WORTHIT_DATA_DIR;
const std::string kBad = WORTHIT_TEST_DATA "/bad/catalog";

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

/// The .toml files of a directory, sorted.
std::vector<fs::path> toml_files(const std::string& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".toml") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

const HwCatalog& hw() {
  static const HwCatalog cat = [] {
    auto c = load_hw_catalog(kData);
    if (!c) ADD_FAILURE() << err(c);
    return c ? *c : HwCatalog{};
  }();
  return cat;
}

const std::vector<ModelArch>& models() {
  static const std::vector<ModelArch> cat = [] {
    auto c = load_model_catalog(kData + "/models");
    if (!c) ADD_FAILURE() << err(c);
    return c ? *c : std::vector<ModelArch>{};
  }();
  return cat;
}

/// kebab-case; a dot is allowed only inside a version number ("llama-3.1-8b", "qwen2.5-7b").
bool is_kebab(const std::string& id) {
  static const std::regex re(R"(^[a-z0-9]+(-[a-z0-9]+|\.[0-9][a-z0-9]*)*$)");
  if (!std::regex_match(id, re)) return false;
  for (size_t i = 0; i < id.size(); ++i)
    if (id[i] == '.' && !std::isdigit(static_cast<unsigned char>(id[i - 1]))) return false;
  return true;
}

TEST(CatalogIds, KebabCaseHelper) {
  for (const char* ok : {"rtx-4090", "llama-3.1-8b", "qwen2.5-7b", "qwen3-0.6b", "tinyllama-1.1b",
                         "apple-m2-ultra-76c", "h200"})
    EXPECT_TRUE(is_kebab(ok)) << ok;
  for (const char* bad : {"RTX-4090", "rtx_4090", "rtx--4090", "-rtx", "rtx-", "a.b", "a.1", "x 1", ""})
    EXPECT_FALSE(is_kebab(bad)) << bad;
}

// ---- Devices -----------------------------------------------------------------------------

void check_compute(const Device& d) {
  const ComputeSpec& c = d.compute;
  for (FlopsPerSec v : {c.fp32, c.fp16_tensor, c.fp16_tensor_fp16acc, c.fp8_tensor, c.fp4_tensor,
                        c.int8_tensor, d.cpu_fp32})
    EXPECT_GE(v.base(), 0.0);
  auto present = [](FlopsPerSec v) { return v.base() > 0; };
  if (present(c.fp16_tensor) && present(c.fp8_tensor)) {
    EXPECT_LE(c.fp16_tensor, c.fp8_tensor) << "fp16_tensor > fp8_tensor";
  }
  if (present(c.fp8_tensor) && present(c.fp4_tensor)) {
    EXPECT_LE(c.fp8_tensor, c.fp4_tensor) << "fp8_tensor > fp4_tensor";
  }
  if (present(c.fp16_tensor) && present(c.fp4_tensor)) {
    EXPECT_LE(c.fp16_tensor, c.fp4_tensor) << "fp16_tensor > fp4_tensor";
  }
  if (present(c.fp16_tensor) && present(c.fp16_tensor_fp16acc)) {
    EXPECT_LE(c.fp16_tensor, c.fp16_tensor_fp16acc);
  }
  if (c.native_fp4) {
    EXPECT_TRUE(c.native_fp8) << "native_fp4 without native_fp8";
  }
}

void check_device(const Device& d, const fs::path& file) {
  EXPECT_EQ(d.id, file.stem().string());
  EXPECT_TRUE(is_kebab(d.id)) << d.id;
  EXPECT_FALSE(d.name.empty());
  ASSERT_FALSE(d.sources.empty());
  for (const auto& s : d.sources) EXPECT_FALSE(std::string(trim(s)).empty());
  EXPECT_TRUE(d.vendor == "NVIDIA" || d.vendor == "AMD" || d.vendor == "Apple" ||
              d.vendor == "Intel")
      << d.vendor;
  EXPECT_TRUE(d.kind == "gpu" || d.kind == "soc") << d.kind;
  EXPECT_GT(d.memory_capacity.base(), 0.0);
  EXPECT_GT(d.memory_bandwidth.base(), 0.0);
  for (Bytes o : d.memory_options) EXPECT_GT(o.base(), 0.0);
  if (!d.memory_options.empty()) {
    // capacity is the largest configuration sold, and one of the options.
    EXPECT_EQ(d.memory_capacity, *std::max_element(d.memory_options.begin(), d.memory_options.end()));
  }
  check_compute(d);
  if (d.power.max.base() > 0 && d.power.idle.base() > 0) {
    EXPECT_LT(d.power.idle, d.power.max);
  }
  if (d.kind == "gpu" && !d.host_link.empty()) {
    EXPECT_GT(d.host_link_bandwidth.base(), 0.0);
  }
  static const std::regex iso_date(R"(^\d{4}-\d{2}(-\d{2})?$)");
  static const std::regex currency(R"(^[A-Z]{3}$)");
  for (const auto& p : d.prices) {
    EXPECT_GT(p.amount, 0.0);
    EXPECT_TRUE(std::regex_match(p.currency, currency)) << p.currency;
    EXPECT_TRUE(std::regex_match(p.date, iso_date)) << p.date;
  }
  if (d.vendor == "Apple") {
    static const std::regex apple(R"(^apple-m[0-9]+(-pro|-max|-ultra)?-[0-9]+c$)");
    EXPECT_TRUE(std::regex_match(d.id, apple)) << d.id;
    EXPECT_EQ(d.kind, "soc");
    EXPECT_EQ(d.backend, Backend::Metal);
    EXPECT_FALSE(d.memory_options.empty()) << "Apple chips list their memory options";
  }
  if (d.backend == Backend::Metal) {
    EXPECT_EQ(d.vendor, "Apple");
  }
  if (d.backend == Backend::Cuda) {
    EXPECT_EQ(d.vendor, "NVIDIA");
  }
  if (!d.compute_capability.empty()) {
    EXPECT_EQ(d.backend, Backend::Cuda) << "compute_capability is CUDA only";
  }
}

TEST(CatalogDevices, EveryFileLoadsAndHoldsTheInvariants) {
  const auto files = toml_files(kData + "/devices");
  ASSERT_GE(files.size(), 40u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    auto d = load_device_file(f.string());
    ASSERT_TRUE(d) << err(d);
    check_device(*d, f);
  }
  EXPECT_EQ(hw().devices.size(), files.size());
}

// ---- Systems -----------------------------------------------------------------------------

TEST(CatalogSystems, EveryFileLoadsAndHoldsTheInvariants) {
  const auto files = toml_files(kData + "/systems");
  ASSERT_GE(files.size(), 3u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    auto s = load_system_file(f.string());
    ASSERT_TRUE(s) << err(s);
    EXPECT_EQ(s->id, f.stem().string());
    EXPECT_TRUE(is_kebab(s->id)) << s->id;
    EXPECT_FALSE(s->name.empty());
    ASSERT_FALSE(s->sources.empty());
    for (const auto& src : s->sources) EXPECT_FALSE(std::string(trim(src)).empty());
    if (s->host) {
      EXPECT_GT(s->host->memory_capacity.base(), 0.0);
      EXPECT_GT(s->host->memory_bandwidth.base(), 0.0);
      EXPECT_GT(s->host->cores, 0);
      EXPECT_GE(s->host->threads, s->host->cores);
    }
    if (s->memory) {
      EXPECT_GT(s->memory->base(), 0.0);
    }
    if (s->link_bandwidth) {
      EXPECT_GT(s->link_bandwidth->base(), 0.0);
    }
  }
  EXPECT_EQ(hw().systems.size(), files.size());
}

TEST(CatalogSystems, IdsAndAliasesAreUniqueAcrossDevicesAndSystems) {
  std::map<std::string, std::string> seen;
  auto claim = [&](const std::string& key, const std::string& owner) {
    auto [it, fresh] = seen.emplace(to_lower(key), owner);
    EXPECT_TRUE(fresh) << "'" << key << "' used by " << owner << " and " << it->second;
  };
  for (const auto& d : hw().devices) {
    claim(d.id, d.id);
    for (const auto& a : d.aliases) claim(a, d.id);
  }
  for (const auto& s : hw().systems) {
    claim(s.id, s.id);
    for (const auto& a : s.aliases) claim(a, s.id);
  }
  EXPECT_GT(seen.size(), hw().devices.size());
}

TEST(CatalogSystems, RequiredIdsExist) {
  std::set<std::string> ids;
  for (const auto& d : hw().devices) ids.insert(d.id);
  for (const auto& s : hw().systems) ids.insert(s.id);
  for (const char* want :
       {"seed-desktop", "dgx-spark", "jetson-agx-thor", "jetson-agx-orin-64gb",
        "mac-mini-m4-pro-64gb", "strix-halo-128gb", "rtx-4090", "rtx-5090", "rtx-5070-ti",
        "rtx-3090", "rtx-a6000", "a100-80gb-pcie", "a100-80gb-sxm", "h100-pcie", "h100-sxm",
        "h200", "rtx-pro-6000-blackwell", "apple-m2-ultra-76c"}) {
    EXPECT_TRUE(ids.count(want)) << want;
  }
}

TEST(CatalogSystems, EverySystemIdResolves) {
  const auto ids = system_ids(hw());
  EXPECT_EQ(ids.size(), hw().devices.size() + hw().systems.size() - 1);  // not the reference host
  for (const auto& id : ids) {
    SCOPED_TRACE(id);
    auto s = resolve_system(hw(), id);
    ASSERT_TRUE(s) << err(s);
    EXPECT_EQ(s->id, id);
    ASSERT_FALSE(s->nodes.empty());
    for (const auto& n : s->nodes) {
      // A node is either a host (with zero or more GPUs) or one unified-memory device.
      EXPECT_NE(n.host.has_value(), n.soc.has_value());
      if (n.soc) {
        EXPECT_TRUE(n.soc->is_unified());
      }
      for (const auto& g : n.gpus) EXPECT_FALSE(g.device.is_unified()) << g.device.id;
    }
  }
}

TEST(CatalogSystems, AliasResolvesToItsDevice) {
  auto s = resolve_system(hw(), "4090");
  ASSERT_TRUE(s) << err(s);
  EXPECT_EQ(s->id, "rtx-4090");
  auto d = find_device(hw(), "GeForce-RTX-4090");
  ASSERT_TRUE(d) << err(d);
  EXPECT_EQ(d->id, "rtx-4090");
}

// ---- Compositions ------------------------------------------------------------------------

TEST(Compose, SeedDesktopPlusRtx5090HasThreeGpus) {
  auto s = resolve_system(hw(), "seed-desktop+rtx-5090");
  ASSERT_TRUE(s) << err(s);
  ASSERT_EQ(s->nodes.size(), 1u);
  const Node& n = s->nodes[0];
  ASSERT_TRUE(n.host.has_value());
  EXPECT_EQ(n.host->cpu, "AMD Ryzen 7 5800X3D");
  ASSERT_EQ(n.gpus.size(), 3u);
  EXPECT_EQ(n.gpus[0].device.id, "rtx-4090");
  EXPECT_EQ(n.gpus[1].device.id, "rtx-5070-ti");
  EXPECT_EQ(n.gpus[2].device.id, "rtx-5090");
  EXPECT_GT(n.gpus[2].link_bandwidth.base(), 0.0);
  EXPECT_EQ(s->id, "seed-desktop+rtx-5090");
}

TEST(Compose, TwoDgxSparksOverA25GBsLink) {
  auto s = resolve_system(hw(), "2x dgx-spark");
  ASSERT_TRUE(s) << err(s);
  ASSERT_EQ(s->nodes.size(), 2u);
  for (const auto& n : s->nodes) {
    ASSERT_TRUE(n.soc.has_value());
    EXPECT_EQ(n.soc->id, "dgx-spark");
    EXPECT_FALSE(n.host.has_value());
  }
  EXPECT_EQ(s->node_link_bandwidth, gb_per_s(25));
  EXPECT_EQ(s->node_link, "200GbE");

  // The catalog's dgx-spark-x2 says the same.
  auto x2 = resolve_system(hw(), "dgx-spark-x2");
  ASSERT_TRUE(x2) << err(x2);
  EXPECT_EQ(x2->nodes.size(), 2u);
  EXPECT_EQ(x2->node_link_bandwidth, gb_per_s(25));
}

TEST(Compose, GpuAloneIsTheReferenceDesktop) {
  auto s = resolve_system(hw(), "rtx-4090");
  ASSERT_TRUE(s) << err(s);
  ASSERT_EQ(s->nodes.size(), 1u);
  const Node& n = s->nodes[0];
  ASSERT_TRUE(n.host.has_value());
  EXPECT_FALSE(n.soc.has_value());
  ASSERT_EQ(n.gpus.size(), 1u);
  EXPECT_EQ(n.gpus[0].device.id, "rtx-4090");
  auto ref = std::find_if(hw().systems.begin(), hw().systems.end(),
                          [](const SystemDef& d) { return d.id == "reference-desktop"; });
  ASSERT_NE(ref, hw().systems.end());
  ASSERT_TRUE(ref->host.has_value());
  EXPECT_EQ(n.host->cpu, ref->host->cpu);
  EXPECT_EQ(n.host->memory_capacity, ref->host->memory_capacity);
  EXPECT_EQ(n.host->memory_bandwidth, ref->host->memory_bandwidth);
}

TEST(Compose, TwoOfTheSameGpu) {
  auto s = resolve_system(hw(), "rtx-3090+rtx-3090");
  ASSERT_TRUE(s) << err(s);
  ASSERT_EQ(s->nodes.size(), 1u);
  EXPECT_EQ(s->nodes[0].gpus.size(), 2u);
}

TEST(Compose, UnifiedDeviceAsSystemUsesItsMemoryConfiguration) {
  auto s = resolve_system(hw(), "mac-mini-m4-pro-64gb");
  ASSERT_TRUE(s) << err(s);
  ASSERT_EQ(s->nodes.size(), 1u);
  ASSERT_TRUE(s->nodes[0].soc.has_value());
  EXPECT_EQ(s->nodes[0].soc->id, "apple-m4-pro-20c");
  EXPECT_EQ(s->nodes[0].soc->memory_capacity, gib(64));
  EXPECT_EQ(s->nodes[0].soc->backend, Backend::Metal);
}

TEST(Compose, Errors) {
  struct Case {
    const char* spec;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"mac-mini-m4-pro-64gb+rtx-4090",
            "--system: cannot add 'rtx-4090': 'mac-mini-m4-pro-64gb' is not a host with PCIe "
            "slots"},
           {"rtx-4909", "--system: unknown system 'rtx-4909' (did you mean 'rtx-4090'?)"},
           {"seed-desktop+rtx-4909", "--system: unknown device 'rtx-4909' (did you mean 'rtx-4090'?)"},
           {"seed-desktop+dgx-spark",
            "--system: 'dgx-spark' is a unified-memory device, not a GPU to add"},
           {"", "--system: empty system spec"},
           {"99x dgx-spark", "--system: node count must be 1..16"},
       }) {
    SCOPED_TRACE(c.spec);
    EXPECT_EQ(err(resolve_system(hw(), c.spec)), c.message);
  }
}

/// A fresh directory per test, removed afterwards.
class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_catalog_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(TempDir, SystemFileByPathResolves) {
  const std::string path = write("my-box.toml", R"(id = "my-box"
name = "My box"
sources = ["test"]

[host]
cpu = "Test CPU"
cores = 16
threads = 32
memory = "128 GiB"
bandwidth = "89.6 GB/s"

[[gpu]]
device = "rtx-3090"
link = "PCIe 4.0 x16"

[[gpu]]
device = "rtx-4090"
link = "PCIe 4.0 x8"
)");
  auto s = resolve_system(hw(), path);
  ASSERT_TRUE(s) << err(s);
  EXPECT_EQ(s->id, "my-box");
  EXPECT_EQ(s->name, "My box");
  ASSERT_EQ(s->nodes.size(), 1u);
  const Node& n = s->nodes[0];
  ASSERT_TRUE(n.host.has_value());
  EXPECT_EQ(n.host->cpu, "Test CPU");
  EXPECT_EQ(n.host->memory_capacity, gib(128));
  EXPECT_EQ(n.host->memory_bandwidth, gb_per_s(89.6));
  ASSERT_EQ(n.gpus.size(), 2u);
  EXPECT_EQ(n.gpus[0].device.id, "rtx-3090");
  EXPECT_EQ(n.gpus[1].device.id, "rtx-4090");
  EXPECT_EQ(n.gpus[1].link, "PCIe 4.0 x8");
  EXPECT_NEAR(n.gpus[1].link_bandwidth.base(), 8 * 1.969e9, 1e6);

  // A file composes like an id.
  auto plus = resolve_system(hw(), path + "+rtx-5090");
  ASSERT_TRUE(plus) << err(plus);
  EXPECT_EQ(plus->nodes[0].gpus.size(), 3u);
}

TEST_F(TempDir, SystemFileWithUnknownDevice) {
  const std::string path = write("box.toml", R"(id = "box"
sources = ["test"]

[host]
cpu = "Test CPU"
memory = "64 GiB"
bandwidth = "51.2 GB/s"

[[gpu]]
device = "rtx-4909"
)");
  EXPECT_EQ(err(resolve_system(hw(), path)),
            path + ": --system: unknown device 'rtx-4909' (did you mean 'rtx-4090'?)");
}

TEST_F(TempDir, MissingSystemFile) {
  const std::string path = (dir_ / "nope.toml").string();
  auto s = resolve_system(hw(), path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message().rfind(path, 0), 0u) << err(s);
}

// ---- Models --------------------------------------------------------------------------------

TEST(CatalogModels, EveryFileLoadsAndHoldsTheInvariants) {
  const auto files = toml_files(kData + "/models");
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    auto m = load_model_file(f.string());
    ASSERT_TRUE(m) << err(m);
    EXPECT_EQ(m->id, f.stem().string());
    EXPECT_TRUE(is_kebab(m->id)) << m->id;
    EXPECT_FALSE(m->name.empty());
    EXPECT_FALSE(m->arch.empty());
    EXPECT_FALSE(std::string(trim(m->source)).empty());
    EXPECT_GT(m->context_max, 0);
    EXPECT_EQ(m->n_heads % m->n_kv_heads, 0);
    if (m->params_active_b > 0) {
      EXPECT_LE(m->params_active_b, m->params_total_b);
    }
    if (m->is_moe()) {
      EXPECT_LE(m->moe.experts_used, m->moe.experts);
    }
  }
  EXPECT_EQ(models().size(), files.size());
}

TEST(CatalogModels, TheThirtyFourModels) {
  std::vector<std::string> ids;
  for (const auto& m : models()) ids.push_back(m.id);
  const std::vector<std::string> want = {
      "deepseek-v3",       "gemma-3-27b",          "gemma-3-4b",
      "glm-4.5-air",       "gpt-oss-120b",         "gpt-oss-20b",
      "llama-2-13b",       "llama-2-7b",           "llama-3-70b",          "llama-3-8b",
      "llama-3.1-405b",    "llama-3.1-70b",        "llama-3.1-8b",
      "llama-3.2-3b",      "llama-3.3-70b",        "llama-4-scout",
      "ministral-3-14b",   "ministral-3-8b",       "mistral-7b",
      "mistral-small-3.1-24b", "mixtral-8x7b",     "phi-2",
      "phi-4",             "qwen2.5-14b",          "qwen2.5-7b",
      "qwen3-0.6b",        "qwen3-235b-a22b",      "qwen3-30b-a3b",
      "qwen3-32b",         "qwen3-8b",             "qwen3-coder-30b-a3b",
      "qwen3-coder-480b-a35b", "qwen3-next-80b-a3b", "tinyllama-1.1b"};
  EXPECT_EQ(ids, want);
  EXPECT_EQ(want.size(), 34u);
}

TEST(CatalogModels, IdsAndAliasesAreUnique) {
  std::map<std::string, std::string> seen;
  for (const auto& m : models()) {
    std::vector<std::string> keys = m.aliases;
    keys.push_back(m.id);
    for (const auto& k : keys) {
      auto [it, fresh] = seen.emplace(to_lower(k), m.id);
      EXPECT_TRUE(fresh) << "'" << k << "' used by " << m.id << " and " << it->second;
    }
  }
}

TEST(CatalogModels, FindByIdAliasAndCase) {
  auto r1 = find_model(models(), "deepseek-r1");
  ASSERT_TRUE(r1) << err(r1);
  EXPECT_EQ(r1->id, "deepseek-v3");
  auto upper = find_model(models(), "LLAMA-3.1-8B");
  ASSERT_TRUE(upper) << err(upper);
  EXPECT_EQ(upper->id, "llama-3.1-8b");
  EXPECT_EQ(err(find_model(models(), "llama-3.3-7b")),
            "--model: unknown model 'llama-3.3-7b' (did you mean 'llama-3.3-70b'?)");
}

// ---- Bad catalog files ---------------------------------------------------------------------

struct BadFile {
  const char* file;     ///< relative to tests/data/bad/catalog
  const char* located;  ///< ":line: field: what (hint)" after the path
};

TEST(BadCatalog, DeviceFiles) {
  for (const BadFile& b : std::vector<BadFile>{
           {"devices/bare-number.toml",
            ":10: memory.capacity: expected a string with a unit, got a bare value (write it "
            "with its unit, e.g. \"24 GiB\", \"273 GB/s\")"},
           {"devices/missing-unit.toml",
            ":10: memory.capacity: missing unit in \"24\" (write it like \"24 GiB\")"},
           {"devices/unknown-key.toml",
            ":12: memory.bus_bit: unknown field (did you mean 'bus_bits'?)"},
           {"devices/negative-bandwidth.toml", ":11: memory.bandwidth: negative value \"-5 GB/s\""},
           {"devices/unknown-backend.toml",
            ":6: backend: unknown backend 'opencl' (one of cuda, rocm, metal, vulkan, sycl, cpu)"},
           {"devices/missing-sources.toml", ":1: sources: at least one source is required"},
           {"devices/missing-memory.toml", ":1: memory: required table [memory] is missing"},
           {"devices/wrong-type.toml", ":14: compute.native_fp8: expected true or false"},
       }) {
    const std::string path = kBad + "/" + b.file;
    SCOPED_TRACE(path);
    EXPECT_EQ(err(load_device_file(path)), path + b.located);
  }
}

TEST(BadCatalog, DeviceSyntaxError) {
  // file:line:column, then toml++'s own description (line 10 is `capacity = "24 GiB`).
  const std::string path = kBad + "/devices/syntax-error.toml";
  EXPECT_EQ(err(load_device_file(path)),
            path +
                ":10:19: Error while parsing string: unescaped control characters other than TAB "
                "(U+0009) are explicitly prohibited");
}

TEST(BadCatalog, ModelFiles) {
  for (const BadFile& b : std::vector<BadFile>{
           {"models/unknown-key.toml",
            ":14: context_maximum: unknown field (did you mean 'context_max'?)"},
           {"models/wrong-type.toml", ":7: n_layers: expected an integer"},
       }) {
    const std::string path = kBad + "/" + b.file;
    SCOPED_TRACE(path);
    EXPECT_EQ(err(load_model_file(path)), path + b.located);
  }
}

// Cross-field checks (validate_arch) must still say where: the line of the offending key.
TEST(BadCatalog, ModelKvHeadsNotDividingNamesTheLine) {
  const std::string path = kBad + "/models/kv-heads-not-dividing.toml";
  EXPECT_EQ(err(load_model_file(path)), path + ":10: n_kv_heads: must divide n_heads (8), got 3");
}

TEST(BadCatalog, ModelExpertsUsedAboveExpertsNamesTheLine) {
  const std::string path = kBad + "/models/experts-used-too-many.toml";
  EXPECT_EQ(err(load_model_file(path)), path + ":17: moe.experts_used: must be in 1..8");
}

TEST(BadCatalog, DuplicateDeviceIdAcrossTwoFiles) {
  const std::string dir = kBad + "/duplicate-id";
  // Files load in name order: dup-gpu-copy.toml first, so dup-gpu.toml is the duplicate.
  EXPECT_EQ(err(load_hw_catalog(dir)), dir + "/devices/dup-gpu.toml:2: id: id or alias 'dup-gpu' "
                                             "is also used by " +
                                             dir + "/devices/dup-gpu-copy.toml");
}

TEST(BadCatalog, DuplicateModelIdAcrossTwoFiles) {
  const std::string dir = kBad + "/duplicate-id/models";
  EXPECT_EQ(err(load_model_catalog(dir)),
            dir + "/dup-model.toml:2: id: id or alias 'dup-model' is also used by " + dir +
                "/dup-model-copy.toml");
}

TEST(BadCatalog, EveryBadFileFailsAndEveryOneIsListedInTheReadme) {
  std::ifstream in(kBad + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(readme.empty());
  for (const char* sub : {"devices", "models"}) {
    for (const auto& f : toml_files(kBad + "/" + sub)) {
      SCOPED_TRACE(f.string());
      const bool failed = std::string(sub) == "devices" ? !load_device_file(f.string())
                                                        : !load_model_file(f.string());
      EXPECT_TRUE(failed);
      EXPECT_NE(readme.find(std::string(sub) + "/" + f.filename().string()), std::string::npos);
    }
  }
  // The duplicate files are each valid on their own.
  for (const auto& f : toml_files(kBad + "/duplicate-id/devices")) {
    auto d = load_device_file(f.string());
    EXPECT_TRUE(d) << err(d);
  }
  for (const auto& f : toml_files(kBad + "/duplicate-id/models")) {
    auto m = load_model_file(f.string());
    EXPECT_TRUE(m) << err(m);
  }
}

}  // namespace
}  // namespace worthit
