// SPDX-License-Identifier: MIT
// `worthit probe [--quick] [--json] [--save PATH]`: what this machine is and what it does,
// each figure labelled detected, measured or catalog.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "common.h"
#include "probe/report.h"

namespace worthit::app {
namespace {

using probe::ProbeReport;

struct ProbeArgs {
  GlobalOptions g;
  bool quick = false;
  std::string save;
};

nlohmann::json opt_json(const std::optional<BytesPerSec>& r) {
  return r ? nlohmann::json(to_gbs(*r)) : nlohmann::json();
}
nlohmann::json opt_json(const std::optional<FlopsPerSec>& r) {
  return r ? nlohmann::json(r->base() / 1e9) : nlohmann::json();
}

nlohmann::json gpu_json(const probe::GpuReport& g, const HwCatalog& cat) {
  nlohmann::json catalog = nullptr;
  if (auto d = find_device(cat, g.catalog_id); !g.catalog_id.empty() && d)
    catalog = {{"id", d->id},
               {"memory_bandwidth_gbs", to_gbs(d->memory_bandwidth)},
               {"fp16_tensor_tflops", to_tflops(d->compute.fp16_tensor)},
               {"fp32_tflops", to_tflops(d->compute.fp32)}};
  return {{"detected",
           {{"index", g.info.index},
            {"name", g.info.name},
            {"memory_total_bytes", g.info.memory_total.base()},
            {"memory_used_bytes", g.info.memory_used.base()},
            {"pcie_gen_current", g.info.pcie_gen_current},
            {"pcie_gen_max", g.info.pcie_gen_max},
            {"pcie_width_current", g.info.pcie_width_current},
            {"pcie_width_max", g.info.pcie_width_max}}},
          {"catalog", catalog},
          {"catalog_note", g.catalog_note},
          {"measured",
           {{"gpu_bandwidth_gbs", opt_json(g.measured.memory_bandwidth)},
            {"h2d_bandwidth_gbs", opt_json(g.measured.h2d_bandwidth)},
            {"d2h_bandwidth_gbs", opt_json(g.measured.d2h_bandwidth)},
            {"gpu_fp16_gflops", opt_json(g.measured.fp16)},
            {"gpu_fp32_gflops", opt_json(g.measured.fp32)}}},
          {"notes", g.notes}};
}

nlohmann::json report_json(const ProbeReport& r, const HwCatalog& cat) {
  const auto& h = r.host;
  nlohmann::json measured = {{"date", r.date}, {"method", r.method}};
  if (r.bandwidth)
    measured["host_bandwidth"] = {
        {"best_gbs", to_gbs(r.bandwidth->best)}, {"mean_gbs", to_gbs(r.bandwidth->mean)},
        {"threads", r.bandwidth->threads},       {"buffer_bytes", r.bandwidth->buffer.base()},
        {"passes", r.bandwidth->passes},         {"elapsed_s", r.bandwidth->elapsed.base()}};
  if (r.flops)
    measured["cpu_fp32"] = {{"gflops", r.flops->fp32.base() / 1e9},
                            {"kernel", r.flops->kernel},
                            {"threads", r.flops->threads},
                            {"elapsed_s", r.flops->elapsed.base()}};
  nlohmann::json gpus = nlohmann::json::array();
  for (const auto& g : r.gpus) gpus.push_back(gpu_json(g, cat));
  const BytesPerSec peak = h.dmi.peak_bandwidth();
  return {{"hostname", r.hostname},
          {"detected",
           {{"cpu", h.cpu_model},
            {"arch", h.arch},
            {"cores", h.cores},
            {"threads", h.threads},
            {"sockets", h.sockets},
            {"isa", h.isa},
            {"memory_total_bytes", h.memory_total.base()},
            {"memory_available_bytes", h.memory_available.base()},
            {"llc_bytes", h.l3_cache.base()},
            {"memory_type", h.dmi.memory_type()},
            {"memory_channels", h.dmi.readable ? nlohmann::json(h.dmi.channels()) : nullptr},
            {"memory_peak_bandwidth_gbs", peak.base() > 0 ? nlohmann::json(to_gbs(peak)) : nullptr},
            {"nvidia_driver", r.driver_version}}},
          {"measured", measured},
          {"gpus", gpus},
          {"notes", r.notes},
          {"host_notes", h.notes}};
}

void row(const std::string& what, const std::string& value, const char* kind) {
  std::cout << fmt::format("  {:<22} {:<50} {}\n", what, value, kind);
}

void print_gpu(const probe::GpuReport& g, const HwCatalog& cat) {
  row(fmt::format("GPU {}", g.info.index),
      fmt::format("{}, {:.1f} GiB", g.info.name, to_gib(g.info.memory_total)), "detected");
  if (g.info.pcie_gen_max > 0)
    row("  PCIe link",
        fmt::format("gen {} x{} now, {} max", g.info.pcie_gen_current, g.info.pcie_width_current,
                    probe::pcie_link(g.info)),
        "detected");
  if (auto d = find_device(cat, g.catalog_id); !g.catalog_id.empty() && d)
    row("  catalog",
        fmt::format("{}: {}, FP16 tensor {}", d->id, format_bandwidth(d->memory_bandwidth),
                    probe::flop_rate_text(d->compute.fp16_tensor)),
        "catalog");
  else
    row("  catalog", g.catalog_note, "");
  const auto& m = g.measured;
  if (m.memory_bandwidth)
    row("  memory bandwidth", format_bandwidth(*m.memory_bandwidth), "measured");
  if (m.h2d_bandwidth) row("  host to device", format_bandwidth(*m.h2d_bandwidth), "measured");
  if (m.d2h_bandwidth) row("  device to host", format_bandwidth(*m.d2h_bandwidth), "measured");
  if (m.fp16) row("  FP16 GEMM", probe::flop_rate_text(*m.fp16), "measured");
  if (m.fp32) row("  FP32 GEMM", probe::flop_rate_text(*m.fp32), "measured");
  for (const auto& n : g.notes) row("  not measured", n, "");
}

void print_text(const ProbeReport& r, const HwCatalog& cat) {
  const auto& h = r.host;
  std::cout << fmt::format("worthit probe{} on {} at {}\n", r.quick ? " --quick" : "", r.hostname,
                           r.date);
  row("CPU", h.cpu_model, "detected");
  row("cores / threads", fmt::format("{} / {} ({})", h.cores, h.threads, h.arch), "detected");
  std::string isa;
  for (const auto& f : h.isa) isa += (isa.empty() ? "" : " ") + f;
  row("ISA", isa.empty() ? "none of interest" : isa, "detected");
  row("memory",
      fmt::format("{:.1f} GiB, {:.1f} GiB available", to_gib(h.memory_total),
                  to_gib(h.memory_available)),
      "detected");
  row("memory type", h.dmi.memory_type().empty() ? "unknown" : h.dmi.memory_type(), "detected");
  if (h.dmi.peak_bandwidth().base() > 0)
    row("memory peak",
        fmt::format("{} ({} channels)", format_bandwidth(h.dmi.peak_bandwidth()), h.dmi.channels()),
        "detected");
  if (h.l3_cache.base() > 0)
    row("last-level cache", fmt::format("{:.0f} MiB", to_mib(h.l3_cache)), "detected");
  if (r.bandwidth)
    row("host read bandwidth",
        fmt::format("{} ({} threads, {:.0f} MiB, best of {})", format_bandwidth(r.bandwidth->best),
                    r.bandwidth->threads, to_mib(r.bandwidth->buffer), r.bandwidth->passes),
        "measured");
  if (r.flops)
    row("CPU FP32",
        fmt::format("{} ({}, {} threads, {:.1f} s)", probe::flop_rate_text(r.flops->fp32),
                    r.flops->kernel, r.flops->threads, r.flops->elapsed.base()),
        "measured");
  if (!r.driver_version.empty()) row("NVIDIA driver", r.driver_version, "detected");
  for (const auto& g : r.gpus) print_gpu(g, cat);
  for (const auto& n : r.notes) std::cout << "  note: " << n << "\n";
  for (const auto& n : h.notes) std::cout << "  note: " << n << "\n";
}

int run(const ProbeArgs& a) {
  auto cat = load_hw_catalog(data_dir(a.g));
  if (!cat) return report_error(cat.error());
  // Opened before measuring, so an unwritable path fails at once, not after the measurements.
  std::ofstream out;
  if (!a.save.empty()) {
    out.open(a.save);
    if (!out) return report_error(Error{a.save, "cannot write the system file", ""});
  }
  const ProbeReport r = probe::collect_probe(*cat, a.quick);
  if (!a.save.empty()) {
    auto text = probe::system_toml(r);
    if (!text) return report_error(text.error());
    out << *text;
    out.close();
    if (!out) return report_error(Error{a.save, "cannot write the system file", ""});
  }
  if (a.g.json) {
    nlohmann::json body = report_json(r, *cat);
    body["saved"] = a.save;
    print_json("probe", body);
  } else {
    print_text(r, *cat);
    if (!a.save.empty())
      std::cout << fmt::format("Saved {}: use it with --system {}\n", a.save, a.save);
  }
  return kExitOk;
}

}  // namespace

void register_probe(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ProbeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "probe", "Detect this machine's CPU, memory and GPUs and measure bandwidth and FLOP/s");
  cmd->add_flag("--quick", args->quick, "Short measurements (about a second)");
  cmd->add_option("--save", args->save,
                  "Write a system file (catalog peaks plus [measured]) usable as --system PATH");
  add_global_options(cmd, args->g);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
