// SPDX-License-Identifier: MIT
// System files, catalog loading, and system-spec resolution.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>

#include "core/text.h"
#include "core/toml_reader.h"
#include "hw/catalog.h"

namespace worthit {
namespace {

constexpr const char* kReferenceHost = "reference-desktop";

Result<HostSpec> read_host(TomlReader& h) {
  HostSpec s;
  WORTHIT_TRY(cpu, h.string("cpu"));
  WORTHIT_TRY(cores, h.opt_int("cores"));
  WORTHIT_TRY(threads, h.opt_int("threads"));
  WORTHIT_TRY(mem, h.quantity<Bytes>("memory", parse_bytes));
  WORTHIT_TRY(type, h.opt_string("memory_type"));
  WORTHIT_TRY(channels, h.opt_int("channels"));
  WORTHIT_TRY(bw, h.quantity<BytesPerSec>("bandwidth", parse_bandwidth));
  WORTHIT_TRY(fp32, h.opt_quantity<FlopsPerSec>("cpu_fp32", parse_flop_rate));
  WORTHIT_TRY(idle, h.opt_quantity<Watts>("idle_power", parse_watts));
  WORTHIT_TRY(maxp, h.opt_quantity<Watts>("max_power", parse_watts));
  if (mem.base() <= 0) return fail(h.error_at("memory", "must be positive"));
  if (bw.base() <= 0) return fail(h.error_at("bandwidth", "must be positive"));
  s.cpu = cpu;
  s.cores = static_cast<int>(cores.value_or(0));
  s.threads = static_cast<int>(threads.value_or(s.cores));
  s.memory_capacity = mem;
  s.memory_type = type.value_or("");
  s.channels = static_cast<int>(channels.value_or(0));
  s.memory_bandwidth = bw;
  s.cpu_fp32 = fp32.value_or(FlopsPerSec{});
  s.power.idle = idle.value_or(Watts{});
  s.power.max = maxp.value_or(Watts{});
  s.power.scope = "wall";
  if (auto st = h.check_unknown(); !st) return fail(st.error());
  return s;
}

/// A rate that must be positive when present.
template <class Q>
Result<std::optional<Q>> positive(TomlReader& t, std::string_view key,
                                  Result<Q> (*parse)(std::string_view)) {
  WORTHIT_TRY(q, t.opt_quantity<Q>(key, parse));
  if (q && q->base() <= 0) return fail(t.error_at(key, "must be positive"));
  return q;
}

/// "2026-11-23T10:00:00Z": the RFC 3339 UTC form `worthit probe` writes.
bool is_rfc3339_utc(const std::string& s) {
  static const std::regex kForm(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  return std::regex_match(s, kForm);
}

/// The optional top-level [measured] table: figures `worthit probe` measured on this host.
Result<std::optional<MeasuredHost>> read_measured_host(TomlReader& r) {
  WORTHIT_TRY(t, r.table("measured"));
  if (!t) return std::optional<MeasuredHost>{};
  MeasuredHost m;
  WORTHIT_TRY(date, t->opt_string("date"));
  if (date && !is_rfc3339_utc(*date))
    return fail(t->error_at("date", fmt::format("expected an RFC 3339 UTC time like "
                                                "\"2026-11-23T10:00:00Z\", got \"{}\"", *date)));
  WORTHIT_TRY(method, t->opt_string("method"));
  WORTHIT_TRY(bw, positive<BytesPerSec>(*t, "host_bandwidth", parse_bandwidth));
  WORTHIT_TRY(fp32, positive<FlopsPerSec>(*t, "cpu_fp32", parse_flop_rate));
  if (auto s = t->check_unknown(); !s) return fail(s.error());
  m.date = date.value_or("");
  m.method = method.value_or("");
  m.memory_bandwidth = bw;
  m.cpu_fp32 = fp32;
  return std::optional<MeasuredHost>{m};
}

/// The optional `measured = {...}` table of one [[gpu]].
Result<std::optional<MeasuredGpu>> read_measured_gpu(TomlReader& g) {
  WORTHIT_TRY(t, g.table("measured"));
  if (!t) return std::optional<MeasuredGpu>{};
  MeasuredGpu m;
  WORTHIT_TRY(bw, positive<BytesPerSec>(*t, "gpu_bandwidth", parse_bandwidth));
  WORTHIT_TRY(h2d, positive<BytesPerSec>(*t, "h2d_bandwidth", parse_bandwidth));
  WORTHIT_TRY(d2h, positive<BytesPerSec>(*t, "d2h_bandwidth", parse_bandwidth));
  WORTHIT_TRY(fp16, positive<FlopsPerSec>(*t, "gpu_fp16", parse_flop_rate));
  WORTHIT_TRY(fp32, positive<FlopsPerSec>(*t, "gpu_fp32", parse_flop_rate));
  if (auto s = t->check_unknown(); !s) return fail(s.error());
  m.memory_bandwidth = bw;
  m.h2d_bandwidth = h2d;
  m.d2h_bandwidth = d2h;
  m.fp16 = fp16;
  m.fp32 = fp32;
  return std::optional<MeasuredGpu>{m};
}

Status read_system_body(TomlReader& r, SystemDef& d) {
  WORTHIT_TRY(host, r.table("host"));
  if (host) {
    WORTHIT_TRY(h, read_host(*host));
    d.host = h;
  }
  WORTHIT_TRY(gpus, r.tables("gpu"));
  for (auto& g : gpus) {
    WORTHIT_TRY(dev, g.string("device"));
    WORTHIT_TRY(link, g.opt_string("link"));
    if (link) {
      auto bw = pcie_bandwidth(*link);
      if (!bw) return fail(g.error_at("link", bw.error().what));
    }
    WORTHIT_TRY(measured, read_measured_gpu(g));
    d.gpus.push_back({dev, link.value_or("PCIe 4.0 x16"), measured});
    if (auto s = g.check_unknown(); !s) return s;
  }
  WORTHIT_TRY(measured, read_measured_host(r));
  d.measured = measured;
  WORTHIT_TRY(storage, r.table("storage"));
  if (storage) {
    WORTHIT_TRY(read, storage->quantity<BytesPerSec>("read", parse_bandwidth));
    WORTHIT_TRY(kind, storage->opt_string("kind"));
    WORTHIT_TRY(src, storage->string("source"));
    if (read.base() <= 0) return fail(storage->error_at("read", "must be positive"));
    d.storage_read = read;
    d.storage_source = src + (kind ? " (" + *kind + ")" : "");
    if (auto s = storage->check_unknown(); !s) return s;
  }
  WORTHIT_TRY(device, r.opt_string("device"));
  d.device = device.value_or("");
  WORTHIT_TRY(mem, r.opt_quantity<Bytes>("memory", parse_bytes));
  d.memory = mem;
  WORTHIT_TRY(nodes, r.strings("nodes"));
  d.nodes = nodes;
  WORTHIT_TRY(link, r.opt_string("link"));
  d.link = link.value_or("");
  WORTHIT_TRY(lbw, r.opt_quantity<BytesPerSec>("link_bandwidth", parse_bandwidth));
  d.link_bandwidth = lbw;
  int shapes = (d.host || !d.gpus.empty() ? 1 : 0) + (d.device.empty() ? 0 : 1) +
               (d.nodes.empty() ? 0 : 1);
  if (shapes != 1)
    return fail(r.error_at("id", "a system is exactly one of: [host] with [[gpu]], "
                                 "device = \"<soc id>\", or nodes = [...]"));
  if (!d.gpus.empty() && !d.host)
    return fail(r.error_at("gpu", "[[gpu]] needs a [host] table"));
  return Ok{};
}

/// Builds the node of a device used alone as a system.
Result<Node> device_node(const HwCatalog& cat, const Device& d) {
  Node n;
  if (d.is_unified()) {
    n.soc = d;
    return n;
  }
  auto ref = std::find_if(cat.systems.begin(), cat.systems.end(),
                          [](const SystemDef& s) { return s.id == kReferenceHost; });
  if (ref == cat.systems.end() || !ref->host)
    return fail("data/systems", "the reference desktop 'reference-desktop' is missing");
  n.host = ref->host;
  n.gpus.push_back({d, d.host_link.empty() ? "PCIe 4.0 x16" : d.host_link, {}, {}});
  return n;
}

Status add_gpu(const HwCatalog& cat, Node& n, const std::string& dev_id, const std::string& link,
               const std::optional<MeasuredGpu>& measured = std::nullopt) {
  WORTHIT_TRY(dev, find_device(cat, dev_id));
  if (dev.is_unified())
    return fail("--system", fmt::format("'{}' is a unified-memory device, not a GPU to add", dev_id));
  if (n.soc)
    return fail("--system",
                fmt::format("cannot add GPU '{}' to unified-memory device '{}'", dev_id, n.soc->id));
  GpuSlot slot{dev, link, {}, measured};
  WORTHIT_TRY(bw, pcie_bandwidth(link));
  slot.link_bandwidth = bw;
  n.gpus.push_back(slot);
  return Ok{};
}

}  // namespace

Result<SystemDef> load_system_file(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  SystemDef d;
  d.file = path;
  WORTHIT_TRY(id, r.string("id"));
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(aliases, r.strings("aliases"));
  WORTHIT_TRY(sources, r.strings("sources"));
  d.id = id;
  d.name = name.value_or(id);
  d.aliases = aliases;
  d.sources = sources;
  if (auto s = read_system_body(r, d); !s) return fail(s.error());
  if (auto s = read_price_list(r, d.prices); !s) return fail(s.error());
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return d;
}

Result<HwCatalog> load_hw_catalog(const std::string& data_dir) {
  HwCatalog cat;
  std::map<std::string, std::string> seen;
  auto files_in = [](const std::string& dir) {
    std::vector<std::string> v;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".toml") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
  };
  auto claim = [&](const std::string& key, const std::string& file, bool is_id) -> Status {
    auto [it, fresh] = seen.emplace(to_lower(key), file);
    if (!fresh)
      return fail(error_in_file(file, is_id ? "id" : "aliases",
                                fmt::format("id or alias '{}' is also used by {}", key, it->second)));
    return Ok{};
  };
  for (const auto& f : files_in(data_dir + "/devices")) {
    WORTHIT_TRY(d, load_device_file(f));
    if (auto s = claim(d.id, f, true); !s) return fail(s.error());
    for (const auto& k : d.aliases)
      if (auto s = claim(k, f, false); !s) return fail(s.error());
    cat.devices.push_back(std::move(d));
  }
  for (const auto& f : files_in(data_dir + "/systems")) {
    WORTHIT_TRY(s, load_system_file(f));
    if (auto st = claim(s.id, f, true); !st) return fail(st.error());
    for (const auto& k : s.aliases)
      if (auto st = claim(k, f, false); !st) return fail(st.error());
    cat.systems.push_back(std::move(s));
  }
  if (cat.devices.empty()) return fail(data_dir + "/devices", "no device files found");
  return cat;
}

Result<Device> find_device(const HwCatalog& cat, const std::string& id) {
  std::vector<std::string> names;
  for (const auto& d : cat.devices) {
    if (to_lower(d.id) == to_lower(id)) return d;
    for (const auto& a : d.aliases)
      if (to_lower(a) == to_lower(id)) return d;
    names.push_back(d.id);
  }
  return fail("--system", fmt::format("unknown device '{}'", id), did_you_mean(id, names));
}

namespace {

Result<System> resolve_id(const HwCatalog& cat, const std::string& id, int depth);

Result<System> resolve_def(const HwCatalog& cat, const SystemDef& d, int depth) {
  if (depth > 4) return fail(d.file, "systems nest too deeply (a cycle in nodes?)");
  System sys;
  sys.id = d.id;
  sys.name = d.name;
  sys.aliases = d.aliases;
  sys.source = d.sources.empty() ? d.file : d.sources.front();
  sys.measured = d.measured;
  sys.prices = d.prices;
  sys.storage_read = d.storage_read;
  sys.storage_source = d.storage_source;
  if (!d.nodes.empty()) {
    for (const auto& n : d.nodes) {
      WORTHIT_TRY(sub, resolve_id(cat, n, depth + 1));
      for (auto& node : sub.nodes) sys.nodes.push_back(node);
    }
    sys.node_link = d.link.empty() ? "network" : d.link;
    sys.node_link_bandwidth = d.link_bandwidth.value_or(gb_per_s(25));
    return sys;
  }
  Node node;
  if (!d.device.empty()) {
    WORTHIT_TRY(dev, find_device(cat, d.device));
    if (!dev.is_unified())
      return fail(d.file, fmt::format("device = '{}' must be a unified-memory (soc) device; "
                                      "put discrete GPUs in [[gpu]] tables", d.device));
    if (d.memory) dev.memory_capacity = *d.memory;
    node.soc = dev;
  } else {
    node.host = d.host;
    for (const auto& g : d.gpus)
      if (auto s = add_gpu(cat, node, g.device, g.link, g.measured); !s)
        return fail(s.error().within(d.file));
  }
  sys.nodes.push_back(node);
  return sys;
}

Result<System> resolve_id(const HwCatalog& cat, const std::string& id, int depth) {
  for (const auto& d : cat.systems) {
    bool hit = to_lower(d.id) == to_lower(id);
    for (const auto& a : d.aliases) hit = hit || to_lower(a) == to_lower(id);
    if (hit) return resolve_def(cat, d, depth);
  }
  for (const auto& d : cat.devices) {
    bool hit = to_lower(d.id) == to_lower(id);
    for (const auto& a : d.aliases) hit = hit || to_lower(a) == to_lower(id);
    if (!hit) continue;
    WORTHIT_TRY(node, device_node(cat, d));
    System sys;
    sys.id = d.id;
    sys.name = d.is_unified() ? d.name : d.name + " in the reference desktop";
    sys.source = d.sources.front();
    sys.nodes.push_back(node);
    return sys;
  }
  return fail("--system", fmt::format("unknown system '{}'", id),
              did_you_mean(id, system_ids(cat)));
}

Result<System> resolve_base(const HwCatalog& cat, const std::string& term) {
  if (term.ends_with(".toml") || term.find('/') != std::string::npos) {
    WORTHIT_TRY(def, load_system_file(term));
    return resolve_def(cat, def, 0);
  }
  return resolve_id(cat, term, 0);
}

/// "2x dgx-spark", "2*dgx-spark" -> (2, "dgx-spark"); count 1 otherwise.
std::pair<int, std::string> split_count(const std::string& spec) {
  size_t i = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) ++i;
  if (i == 0 || i > 2 || i >= spec.size() || (spec[i] != 'x' && spec[i] != '*')) return {1, spec};
  return {std::stoi(spec.substr(0, i)), std::string(trim(spec.substr(i + 1)))};
}

}  // namespace

Result<System> resolve_system(const HwCatalog& cat, const std::string& spec_in) {
  std::string spec(trim(spec_in));
  if (spec.empty()) return fail("--system", "empty system spec");
  auto [count, rest] = split_count(spec);
  if (count < 1 || count > 16) return fail("--system", "node count must be 1..16");
  std::vector<std::string> terms = split(rest, '+');
  for (auto& t : terms) t = std::string(trim(t));
  WORTHIT_TRY(sys, resolve_base(cat, terms[0]));
  for (size_t i = 1; i < terms.size(); ++i) {
    if (sys.nodes.size() != 1 || !sys.nodes[0].host)
      return fail("--system", fmt::format("cannot add '{}': '{}' is not a host with PCIe slots",
                                          terms[i], terms[0]));
    WORTHIT_TRY(dev, find_device(cat, terms[i]));
    const std::string link = dev.host_link.empty() ? "PCIe 4.0 x16" : dev.host_link;
    if (auto s = add_gpu(cat, sys.nodes[0], terms[i], link); !s) return fail(s.error());
    sys.name += " + " + dev.name;
  }
  if (terms.size() > 1) sys.id = rest;
  if (count > 1) {
    System cl;
    cl.id = spec;
    cl.name = fmt::format("{} x {}", count, sys.name);
    cl.source = sys.source;
    for (int i = 0; i < count; ++i) cl.nodes.push_back(sys.nodes.front());
    // Default inter-node link: one 200 GbE port (25 GB/s per direction) as on DGX Spark.
    cl.node_link = "200GbE";
    cl.node_link_bandwidth = gb_per_s(25);
    return cl;
  }
  return sys;
}

std::vector<std::string> system_ids(const HwCatalog& cat) {
  std::vector<std::string> v;
  for (const auto& s : cat.systems)
    if (s.id != kReferenceHost) v.push_back(s.id);
  for (const auto& d : cat.devices) v.push_back(d.id);
  return v;
}

}  // namespace worthit
