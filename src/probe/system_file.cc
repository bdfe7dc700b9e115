// SPDX-License-Identifier: MIT
// The system file `worthit probe --save PATH` writes (format: docs/catalog-format.md, Systems).
#include <fmt/format.h>

#include <cctype>

#include "probe/report.h"

namespace worthit::probe {
namespace {

/// A TOML basic string: quotes, backslashes and control characters escaped.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// "probe-my-box": the host name reduced to letters, digits and dashes.
std::string system_id(const std::string& host) {
  std::string id = "probe-";
  for (char c : host)
    id += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  return id;
}

std::string bw_text(BytesPerSec b) { return fmt::format("{:.4g} GB/s", to_gbs(b)); }

std::string host_table(const ProbeReport& r) {
  const HostInfo& h = r.host;
  std::string t = "[host]\n";
  t += fmt::format("cpu = {}\n", quote(h.cpu_model));
  if (h.cores > 0) t += fmt::format("cores = {}\n", h.cores);
  if (h.threads > 0) t += fmt::format("threads = {}\n", h.threads);
  t += fmt::format("memory = \"{:.1f} GiB\"\n", to_gib(h.memory_total));
  if (!h.dmi.memory_type().empty())
    t += fmt::format("memory_type = {}\n", quote(h.dmi.memory_type()));
  if (h.dmi.channels() > 0) t += fmt::format("channels = {}\n", h.dmi.channels());
  const BytesPerSec peak = h.dmi.peak_bandwidth();
  if (peak.base() > 0) {
    t += fmt::format("bandwidth = \"{}\"  # theoretical: MT/s x bus width x channels (SMBIOS)\n",
                     bw_text(peak));
  } else if (r.bandwidth) {
    t +=
        fmt::format("bandwidth = \"{}\"  # measured: memory speed and channels were not readable\n",
                    bw_text(r.bandwidth->best));
  }
  return t;
}

std::string gpu_tables(const ProbeReport& r) {
  std::string t;
  for (const auto& g : r.gpus) {
    if (g.catalog_id.empty()) {
      t += fmt::format("\n# GPU {}: {} is not written: {}\n", g.info.index, g.info.name,
                       g.catalog_note);
      continue;
    }
    t += fmt::format("\n[[gpu]]  # {}\ndevice = {}\n", g.info.name, quote(g.catalog_id));
    if (!pcie_link(g.info).empty()) t += fmt::format("link = {}\n", quote(pcie_link(g.info)));
    const MeasuredGpu& m = g.measured;
    std::vector<std::string> kv;
    if (m.memory_bandwidth)
      kv.push_back("gpu_bandwidth = \"" + bw_text(*m.memory_bandwidth) + "\"");
    if (m.h2d_bandwidth) kv.push_back("h2d_bandwidth = \"" + bw_text(*m.h2d_bandwidth) + "\"");
    if (m.d2h_bandwidth) kv.push_back("d2h_bandwidth = \"" + bw_text(*m.d2h_bandwidth) + "\"");
    if (m.fp16) kv.push_back("gpu_fp16 = \"" + flop_rate_text(*m.fp16) + "\"");
    if (m.fp32) kv.push_back("gpu_fp32 = \"" + flop_rate_text(*m.fp32) + "\"");
    if (kv.empty()) continue;
    std::string inl;
    for (const auto& s : kv) inl += (inl.empty() ? "" : ", ") + s;
    t += "measured = { " + inl + " }\n";
  }
  return t;
}

}  // namespace

Result<std::string> system_toml(const ProbeReport& r) {
  if (r.host.memory_total.base() <= 0)
    return fail("probe --save", "the host memory size is unknown (/proc/meminfo unreadable)");
  if (!r.bandwidth && r.host.dmi.peak_bandwidth().base() <= 0)
    return fail("probe --save",
                "neither a measured nor a theoretical host memory bandwidth is known");
  std::string t = fmt::format(
      "# Written by `{}` on {} at {}.\n"
      "# [host] and [[gpu]] hold catalog-style peak figures; [measured] and each GPU's\n"
      "# `measured` hold what was timed on this machine (docs/probe.md).\n",
      r.method, r.hostname, r.date);
  t += fmt::format("id = {}\nname = {}\nsources = [{}]\n\n", quote(system_id(r.hostname)),
                   quote(r.hostname + " (" + r.host.cpu_model + "), measured by worthit probe"),
                   quote(r.method + " on " + r.hostname + ", " + r.date));
  t += host_table(r);
  t += gpu_tables(r);
  t += fmt::format("\n[measured]\ndate = {}\nmethod = {}\n", quote(r.date), quote(r.method));
  if (r.bandwidth) t += fmt::format("host_bandwidth = \"{}\"\n", bw_text(r.bandwidth->best));
  if (r.flops) t += fmt::format("cpu_fp32 = \"{}\"\n", flop_rate_text(r.flops->fp32));
  return t;
}

}  // namespace worthit::probe
