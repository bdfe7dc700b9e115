// SPDX-License-Identifier: MIT
#include "hw/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

Result<Backend> parse_backend(TomlReader& r) {
  WORTHIT_TRY(name, r.string("backend"));
  for (Backend b : {Backend::Cuda, Backend::Rocm, Backend::Metal, Backend::Vulkan, Backend::Sycl,
                    Backend::Cpu})
    if (to_lower(name) == backend_name(b)) return b;
  return fail(r.error_at("backend", fmt::format("unknown backend '{}'", name),
                         "one of cuda, rocm, metal, vulkan, sycl, cpu"));
}

template <class Q>
Status opt_q(TomlReader& t, const char* key, Q& dst, Result<Q> (*parse)(std::string_view)) {
  auto v = t.opt_quantity<Q>(key, parse);
  if (!v) return fail(v.error());
  if (v->has_value()) dst = **v;
  return Ok{};
}

Status read_memory(TomlReader& r, Device& d) {
  WORTHIT_TRY(mem, r.table("memory"));
  if (!mem) return fail(r.error_at("memory", "required table [memory] is missing"));
  TomlReader& m = *mem;
  WORTHIT_TRY(cap, m.quantity<Bytes>("capacity", parse_bytes));
  WORTHIT_TRY(bw, m.quantity<BytesPerSec>("bandwidth", parse_bandwidth));
  if (cap.base() <= 0) return fail(m.error_at("capacity", "must be positive"));
  if (bw.base() <= 0) return fail(m.error_at("bandwidth", "must be positive"));
  d.memory_capacity = cap;
  d.memory_bandwidth = bw;
  WORTHIT_TRY(opts, m.strings("options"));
  for (const auto& o : opts) {
    auto b = parse_bytes(o);
    if (!b) return fail(m.error_at("options", b.error().what));
    d.memory_options.push_back(*b);
  }
  WORTHIT_TRY(type, m.opt_string("type"));
  d.memory_type = type.value_or("");
  WORTHIT_TRY(bus, m.opt_int("bus_bits"));
  (void)bus;
  return m.check_unknown();
}

Status read_compute(TomlReader& r, Device& d) {
  WORTHIT_TRY(cmp, r.table("compute"));
  if (!cmp) return fail(r.error_at("compute", "required table [compute] is missing"));
  TomlReader& c = *cmp;
  ComputeSpec& s = d.compute;
  for (auto [key, dst] : {std::pair{"fp32", &s.fp32}, std::pair{"fp16_tensor", &s.fp16_tensor},
                          std::pair{"fp16_tensor_fp16acc", &s.fp16_tensor_fp16acc},
                          std::pair{"fp8_tensor", &s.fp8_tensor},
                          std::pair{"fp4_tensor", &s.fp4_tensor},
                          std::pair{"int8_tensor", &s.int8_tensor}}) {
    if (auto st = opt_q<FlopsPerSec>(c, key, *dst, parse_flop_rate); !st) return st;
  }
  WORTHIT_TRY(f8, c.boolean("native_fp8"));
  WORTHIT_TRY(f4, c.boolean("native_fp4"));
  s.native_fp8 = f8;
  s.native_fp4 = f4;
  return c.check_unknown();
}

Status read_power(TomlReader& r, PowerSpec& p, bool nested) {
  if (nested) {
    WORTHIT_TRY(pw, r.table("power"));
    if (!pw) return Ok{};
    return read_power(*pw, p, false);
  }
  if (auto s = opt_q<Watts>(r, "max", p.max, parse_watts); !s) return s;
  if (auto s = opt_q<Watts>(r, "idle", p.idle, parse_watts); !s) return s;
  WORTHIT_TRY(scope, r.opt_string("scope"));
  p.scope = scope.value_or("");
  static const std::set<std::string> kScopes = {"", "board", "wall", "module", "package"};
  if (!kScopes.count(p.scope))
    return fail(r.error_at("scope", fmt::format("unknown power scope '{}'", p.scope),
                           "one of board, wall, module, package"));
  return r.check_unknown();
}

Status read_prices(TomlReader& r, std::vector<Price>& out) {
  WORTHIT_TRY(list, r.tables("price"));
  for (auto& p : list) {
    Price pr;
    WORTHIT_TRY(amount, p.opt_number("amount"));
    if (!amount) return fail(p.error_at("amount", "required field is missing"));
    pr.amount = *amount;
    WORTHIT_TRY(cur, p.string("currency"));
    WORTHIT_TRY(date, p.string("date"));
    WORTHIT_TRY(kind, p.string("kind"));
    WORTHIT_TRY(src, p.opt_string("source"));
    static const std::set<std::string> kKinds = {"launch", "street", "used", "rental_per_hour"};
    if (!kKinds.count(kind))
      return fail(p.error_at("kind", fmt::format("unknown price kind '{}'", kind),
                             "one of launch, street, used, rental_per_hour"));
    pr.currency = cur;
    pr.date = date;
    pr.kind = kind;
    pr.source = src.value_or("");
    if (auto s = p.check_unknown(); !s) return s;
    out.push_back(pr);
  }
  return Ok{};
}

Status read_link_and_cpu(TomlReader& r, Device& d) {
  WORTHIT_TRY(link, r.table("link"));
  if (link) {
    WORTHIT_TRY(host, link->opt_string("host"));
    WORTHIT_TRY(ic, link->opt_string("interconnect"));
    d.host_link = host.value_or("");
    d.interconnect = ic.value_or("");
    if (!d.host_link.empty()) {
      auto bw = pcie_bandwidth(d.host_link);
      if (!bw) return fail(link->error_at("host", bw.error().what));
      d.host_link_bandwidth = *bw;
    }
    if (auto s = link->check_unknown(); !s) return s;
  }
  WORTHIT_TRY(cpu, r.table("cpu"));
  if (cpu) {
    WORTHIT_TRY(name, cpu->opt_string("name"));
    WORTHIT_TRY(cores, cpu->opt_int("cores"));
    d.cpu_name = name.value_or("");
    d.cpu_cores = static_cast<int>(cores.value_or(0));
    if (auto s = opt_q<FlopsPerSec>(*cpu, "fp32", d.cpu_fp32, parse_flop_rate); !s) return s;
    if (auto s = cpu->check_unknown(); !s) return s;
  }
  return Ok{};
}

Status read_identity(TomlReader& r, Device& d) {
  WORTHIT_TRY(id, r.string("id"));
  WORTHIT_TRY(name, r.string("name"));
  WORTHIT_TRY(vendor, r.string("vendor"));
  WORTHIT_TRY(kind, r.string("kind"));
  if (kind != "gpu" && kind != "soc")
    return fail(r.error_at("kind", fmt::format("unknown kind '{}'", kind), "gpu or soc"));
  WORTHIT_TRY(arch, r.opt_string("architecture"));
  WORTHIT_TRY(cc, r.opt_string("compute_capability"));
  WORTHIT_TRY(backend, parse_backend(r));
  WORTHIT_TRY(aliases, r.strings("aliases"));
  WORTHIT_TRY(sources, r.strings("sources"));
  if (sources.empty()) return fail(r.error_at("sources", "at least one source is required"));
  d.id = id;
  d.name = name;
  d.vendor = vendor;
  d.kind = kind;
  d.architecture = arch.value_or("");
  d.compute_capability = cc.value_or("");
  d.backend = backend;
  d.aliases = aliases;
  d.sources = sources;
  return Ok{};
}

}  // namespace

Status read_price_list(TomlReader& r, std::vector<Price>& out) { return read_prices(r, out); }

Result<Device> load_device_file(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  Device d;
  if (auto s = read_identity(r, d); !s) return fail(s.error());
  if (auto s = read_memory(r, d); !s) return fail(s.error());
  if (auto s = read_compute(r, d); !s) return fail(s.error());
  if (auto s = read_power(r, d.power, true); !s) return fail(s.error());
  if (auto s = read_link_and_cpu(r, d); !s) return fail(s.error());
  if (auto s = read_prices(r, d.prices); !s) return fail(s.error());
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return d;
}

}  // namespace worthit
