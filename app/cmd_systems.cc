// SPDX-License-Identifier: MIT
// `worthit systems [ID] [--json]`: the hardware catalog.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "plan/fit.h"

namespace worthit::app {
namespace {

struct SystemsArgs {
  GlobalOptions g;
  std::string id;
};

/// The figures `worthit probe` measured, labelled "measured"; null when there are none.
nlohmann::json measured_json(const System& s) {
  nlohmann::json gpus = nlohmann::json::array();
  auto gbs = [](const std::optional<BytesPerSec>& r) -> nlohmann::json {
    return r ? nlohmann::json(to_gbs(*r)) : nlohmann::json();
  };
  auto tflops = [](const std::optional<FlopsPerSec>& r) -> nlohmann::json {
    return r ? nlohmann::json(to_tflops(*r)) : nlohmann::json();
  };
  for (const auto& n : s.nodes)
    for (const auto& g : n.gpus) {
      if (!g.measured) continue;
      gpus.push_back({{"device", g.device.id},
                      {"gpu_bandwidth_gbs", gbs(g.measured->memory_bandwidth)},
                      {"h2d_bandwidth_gbs", gbs(g.measured->h2d_bandwidth)},
                      {"d2h_bandwidth_gbs", gbs(g.measured->d2h_bandwidth)},
                      {"gpu_fp16_tflops", tflops(g.measured->fp16)},
                      {"gpu_fp32_tflops", tflops(g.measured->fp32)}});
    }
  if (!s.measured && gpus.empty()) return nullptr;
  nlohmann::json m = {{"gpus", gpus}};
  if (s.measured) {
    m["date"] = s.measured->date;
    m["method"] = s.measured->method;
    m["host_bandwidth_gbs"] = gbs(s.measured->memory_bandwidth);
    m["cpu_fp32_tflops"] = tflops(s.measured->cpu_fp32);
  }
  return m;
}

nlohmann::json system_json(const System& s) {
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& p : system_pools(s)) {
    pools.push_back({{"id", p.id},
                     {"kind", p.kind},
                     {"device", p.device_name},
                     {"node", p.node},
                     {"capacity_bytes", p.capacity.base()},
                     {"usable_bytes", p.usable.base()},
                     {"bandwidth_gbs", to_gbs(p.bandwidth)}});
  }
  return {{"id", s.id},
          {"name", s.name},
          {"aliases", s.aliases},
          {"nodes", s.nodes.size()},
          {"node_link", s.node_link},
          {"node_link_bandwidth_gbs", to_gbs(s.node_link_bandwidth)},
          {"source", s.source},
          {"pools", pools},
          {"measured", measured_json(s)}};
}

std::string pools_text(const System& s) {
  std::string out;
  for (const auto& p : system_pools(s)) {
    if (!out.empty()) out += " + ";
    out += fmt::format("{} {:.0f} GiB {} @ {:.0f} GB/s", p.id, to_gib(p.capacity), p.kind,
                       to_gbs(p.bandwidth));
  }
  return out;
}

int run(const SystemsArgs& a) {
  auto cat = load_hw_catalog(data_dir(a.g));
  if (!cat) return report_error(cat.error());
  std::vector<std::string> ids = a.id.empty() ? system_ids(*cat) : std::vector<std::string>{a.id};
  nlohmann::json list = nlohmann::json::array();
  std::vector<System> systems;
  for (const auto& id : ids) {
    auto s = resolve_system(*cat, id);
    if (!s) return report_error(s.error());
    systems.push_back(*s);
  }
  if (a.g.json) {
    for (const auto& s : systems) list.push_back(system_json(s));
    print_json("systems", {{"systems", list}});
    return kExitOk;
  }
  for (const auto& s : systems) {
    std::cout << fmt::format("{:<28} {:<48} {}\n", s.id, s.name.substr(0, 48), pools_text(s));
    if (s.measured && s.measured->memory_bandwidth)
      std::cout << fmt::format("{:<28} measured {}: host read {}\n", "", s.measured->date,
                               format_bandwidth(*s.measured->memory_bandwidth));
  }
  std::cout << fmt::format("{} systems. Compose: A+B adds GPU B to A; 2x A joins two A over "
                           "200 GbE; a .toml path is read as a system file.\n",
                           systems.size());
  return kExitOk;
}

}  // namespace

void register_systems(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SystemsArgs>();
  CLI::App* cmd = app.add_subcommand("systems", "List the hardware catalog (systems and devices)");
  cmd->add_option("id", args->id, "Show one system or composition (e.g. seed-desktop+rtx-5090)");
  add_global_options(cmd, args->g);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
