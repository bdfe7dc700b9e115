// SPDX-License-Identifier: MIT
// `worthit models [ID|PATH] [--quant Q] [--json]`: the model catalog, or one model's tensors.
#include <fmt/format.h>

#include <iostream>
#include <map>

#include "common.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "plan/fit.h"

namespace worthit::app {
namespace {

struct ModelsArgs {
  GlobalOptions g;
  std::string id;
  std::string quant;
};

struct Counts {
  double total = 0, active = 0;
};

/// Parameters, all and active per token (routed experts scaled by used/total).
Counts count_params(const ModelArch& a, const std::vector<TensorInfo>& ts) {
  Counts c;
  const double frac = a.is_moe() ? double(a.moe.experts_used) / a.moe.experts : 1.0;
  for (const auto& t : ts) {
    const double n = double(t.elements());
    c.total += n;
    c.active += t.role == TensorRole::FfnExperts ? n * frac : n;
  }
  return c;
}

nlohmann::json model_json(const ModelArch& a, const std::vector<TensorInfo>& ts,
                          const std::string& quant) {
  Counts c = count_params(a, ts);
  return {{"id", a.id},
          {"name", a.name},
          {"aliases", a.aliases},
          {"arch", a.arch},
          {"type", a.is_moe() ? "moe" : "dense"},
          {"n_layers", a.n_layers},
          {"hidden", a.hidden},
          {"n_heads", a.n_heads},
          {"n_kv_heads", a.n_kv_heads},
          {"head_dim", a.head_dim},
          {"experts", a.moe.experts},
          {"experts_used", a.moe.experts_used},
          {"vocab", a.vocab},
          {"context_max_tokens", a.context_max},
          {"sliding_window_tokens", a.sliding_window},
          {"params_total", c.total},
          {"params_active", c.active},
          {"kv_bytes_per_token_f16",
           kv_bytes_per_token_layer(a, GgmlType::F16, GgmlType::F16).base() *
               [&] { int n = 0; for (int i = 0; i < a.n_layers; ++i) n += a.layer_attention(i) == AttentionKind::Full; return n; }()},
          {"quant", quant},
          {"file_bytes", double(total_bytes(ts))},
          {"source", a.source}};
}

void print_detail(const ModelArch& a, const std::vector<TensorInfo>& ts, const std::string& q) {
  std::map<std::string, std::pair<int, double>> by_type;
  for (const auto& t : ts) {
    auto& e = by_type[ggml_type_info(t.type).name];
    e.first++;
    e.second += double(t.bytes());
  }
  Counts c = count_params(a, ts);
  std::cout << fmt::format("{} ({}), arch {}, {} layers, {:.2f}B parameters ({:.2f}B active)\n",
                           a.name, a.id, a.arch, a.n_layers, c.total / 1e9, c.active / 1e9);
  std::cout << fmt::format("{}: {} tensors, {:.2f} GB ({:.2f} GiB)\n", q, ts.size(),
                           total_bytes(ts) / 1e9, total_bytes(ts) / 1073741824.0);
  for (const auto& [name, e] : by_type)
    std::cout << fmt::format("  {:<8} {:>5} tensors {:>10.2f} GB\n", name, e.first, e.second / 1e9);
  std::cout << "source: " << a.source << "\n";
}

int run(const ModelsArgs& a) {
  if (!a.id.empty()) {
    auto m = load_model_source(a.g, a.id, a.quant);
    if (!m) return report_error(m.error());
    if (a.g.json) print_json("models", {{"models", {model_json(m->arch, m->tensors, m->quant)}}});
    else print_detail(m->arch, m->tensors, m->quant);
    return kExitOk;
  }
  auto cat = load_model_catalog(data_dir(a.g) + "/models");
  if (!cat) return report_error(cat.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : *cat) {
    auto ft = parse_file_type(a.quant.empty() ? default_quant(m) : a.quant);
    if (!ft) return report_error(ft.error());
    auto ts = derive_tensors(m, *ft);
    if (a.g.json) {
      list.push_back(model_json(m, ts, file_type_name(*ft)));
      continue;
    }
    Counts c = count_params(m, ts);
    std::cout << fmt::format("{:<24} {:<10} {:<6} {:>3} layers {:>7.1f}B {:>6.1f}B active  {} {:>7.2f} GB\n",
                             m.id, m.arch, m.is_moe() ? "moe" : "dense", m.n_layers, c.total / 1e9,
                             c.active / 1e9, file_type_name(*ft), total_bytes(ts) / 1e9);
  }
  if (a.g.json) print_json("models", {{"models", list}});
  return kExitOk;
}

}  // namespace

void register_models(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ModelsArgs>();
  CLI::App* cmd = app.add_subcommand("models", "List the model catalog, or one model's tensors");
  cmd->add_option("model", args->id, "A catalog id, a .gguf file or a config.json to describe");
  cmd->add_option("--quant", args->quant,
                  "llama.cpp file type for derived sizes (default Q4_K_M; gpt-oss: MXFP4_MOE)");
  add_global_options(cmd, args->g);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
