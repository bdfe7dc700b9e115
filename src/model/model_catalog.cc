// SPDX-License-Identifier: MIT
#include "model/model_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

template <class T>
Status set_int(TomlReader& r, std::string_view key, T& out, bool required) {
  auto v = r.opt_int(key);
  if (!v) return fail(v.error());
  if (!v->has_value()) {
    if (required) return fail(r.error_at(key, "required field is missing"));
    return Ok{};
  }
  out = static_cast<T>(**v);
  return Ok{};
}

Status read_moe(TomlReader& t, MoeSpec& m) {
  for (auto [key, dst, req] : {std::tuple{"experts", &m.experts, true},
                               std::tuple{"experts_used", &m.experts_used, true},
                               std::tuple{"shared_experts", &m.shared_experts, false},
                               std::tuple{"first_dense_layers", &m.first_dense_layers, false},
                               std::tuple{"interleave", &m.interleave, false}}) {
    if (auto s = set_int(t, key, *dst, req); !s) return s;
  }
  if (auto s = set_int(t, "expert_ffn", m.expert_ffn, true); !s) return s;
  if (auto s = set_int(t, "shared_ffn", m.shared_ffn, false); !s) return s;
  return t.check_unknown();
}

Status read_mla(TomlReader& t, MlaSpec& m) {
  for (auto [key, dst] : {std::pair{"q_lora_rank", &m.q_lora_rank},
                          std::pair{"kv_lora_rank", &m.kv_lora_rank},
                          std::pair{"qk_rope_dim", &m.qk_rope_dim},
                          std::pair{"qk_nope_dim", &m.qk_nope_dim},
                          std::pair{"v_head_dim", &m.v_head_dim}}) {
    if (auto s = set_int(t, key, *dst, std::string_view(key) != "q_lora_rank"); !s) return s;
  }
  return t.check_unknown();
}

Status read_linear(TomlReader& t, LinearSpec& l) {
  for (auto [key, dst] : {std::pair{"full_attention_interval", &l.full_attention_interval},
                          std::pair{"heads_qk", &l.heads_qk}, std::pair{"heads_v", &l.heads_v},
                          std::pair{"head_dim_qk", &l.head_dim_qk},
                          std::pair{"head_dim_v", &l.head_dim_v},
                          std::pair{"conv_kernel", &l.conv_kernel}}) {
    if (auto s = set_int(t, key, *dst, true); !s) return s;
  }
  return t.check_unknown();
}

Status read_core_fields(TomlReader& r, ModelArch& a) {
  for (auto [key, dst] : {std::pair{"n_layers", &a.n_layers}, std::pair{"n_heads", &a.n_heads},
                          std::pair{"n_kv_heads", &a.n_kv_heads},
                          std::pair{"head_dim", &a.head_dim}}) {
    if (auto s = set_int(r, key, *dst, true); !s) return s;
  }
  if (auto s = set_int(r, "head_dim_v", a.head_dim_v, false); !s) return s;
  if (auto s = set_int(r, "swa_period", a.swa_period, false); !s) return s;
  for (auto [key, dst, req] : {std::tuple{"hidden", &a.hidden, true},
                               std::tuple{"vocab", &a.vocab, true},
                               std::tuple{"ffn", &a.ffn, false},
                               std::tuple{"context_max", &a.context_max, false},
                               std::tuple{"sliding_window", &a.sliding_window, false},
                               std::tuple{"vision_params", &a.vision_params, false}}) {
    if (auto s = set_int(r, key, *dst, req); !s) return s;
  }
  for (auto [key, dst] : {std::pair{"ffn_gated", &a.ffn_gated},
                          std::pair{"tied_embeddings", &a.tied_embeddings},
                          std::pair{"attn_bias", &a.attn_bias},
                          std::pair{"parallel_block", &a.parallel_block}}) {
    auto v = r.opt_bool(key);
    if (!v) return fail(v.error());
    if (v->has_value()) *dst = **v;
  }
  for (auto [key, dst] : {std::pair{"params_total_b", &a.params_total_b},
                          std::pair{"params_active_b", &a.params_active_b}}) {
    auto v = r.opt_number(key);
    if (!v) return fail(v.error());
    if (v->has_value()) *dst = **v;
  }
  return Ok{};
}

Status read_sections(TomlReader& r, ModelArch& a) {
  auto moe = r.table("moe");
  if (!moe) return fail(moe.error());
  if (moe->has_value())
    if (auto s = read_moe(**moe, a.moe); !s) return s;
  auto mla = r.table("mla");
  if (!mla) return fail(mla.error());
  if (mla->has_value())
    if (auto s = read_mla(**mla, a.mla); !s) return s;
  auto lin = r.table("linear");
  if (!lin) return fail(lin.error());
  if (lin->has_value())
    if (auto s = read_linear(**lin, a.linear); !s) return s;
  return Ok{};
}

}  // namespace

Status validate_arch(const ModelArch& a, const std::string& where) {
  // `where` + field: load_model_file turns the field into file:line: field.
  auto bad = [&](const std::string& field, const std::string& what) {
    return fail(where.empty() ? field : where + ": " + field, what);
  };
  if (a.n_layers <= 0) return bad("n_layers", "must be positive");
  if (a.hidden <= 0) return bad("hidden", "must be positive");
  if (a.n_heads <= 0 || a.head_dim <= 0) return bad("n_heads", "heads and head_dim must be positive");
  if (a.n_kv_heads <= 0 || a.n_heads % a.n_kv_heads != 0)
    return bad("n_kv_heads", fmt::format("must divide n_heads ({}), got {}", a.n_heads, a.n_kv_heads));
  if (a.vocab <= 0) return bad("vocab", "must be positive");
  if (a.is_moe()) {
    if (a.moe.experts_used <= 0 || a.moe.experts_used > a.moe.experts)
      return bad("moe.experts_used", fmt::format("must be in 1..{}", a.moe.experts));
    if (a.moe.expert_ffn <= 0) return bad("moe.expert_ffn", "must be positive");
  }
  bool needs_dense = !a.is_moe() || a.moe.first_dense_layers > 0 || a.moe.interleave > 1;
  if (needs_dense && a.ffn <= 0) return bad("ffn", "required for dense layers");
  if (a.swa_period > 0 && a.sliding_window <= 0)
    return bad("swa_period", "needs sliding_window");
  return Ok{};
}

Result<ModelArch> load_model_file(const std::string& path) {
  auto tbl = parse_toml_file(path);
  if (!tbl) return fail(tbl.error());
  TomlReader r(*tbl, path);
  ModelArch a;
  WORTHIT_TRY(id, r.string("id"));
  WORTHIT_TRY(name, r.string("name"));
  WORTHIT_TRY(arch, r.string("arch"));
  WORTHIT_TRY(aliases, r.strings("aliases"));
  WORTHIT_TRY(sources, r.strings("sources"));
  if (sources.empty()) return fail(r.error_at("sources", "at least one source is required"));
  a.id = id;
  a.name = name;
  a.arch = arch;
  a.aliases = aliases;
  a.source = sources.front();
  if (auto s = read_core_fields(r, a); !s) return fail(s.error());
  if (auto s = read_sections(r, a); !s) return fail(s.error());
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  if (auto s = validate_arch(a, ""); !s)
    return fail(r.error_at_path(s.error().where, s.error().what));
  return a;
}

Result<std::vector<ModelArch>> load_model_catalog(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) return fail(dir, "cannot read the model catalog: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<ModelArch> out;
  std::map<std::string, std::string> seen;  // id or alias -> file
  for (const auto& f : files) {
    auto m = load_model_file(f);
    if (!m) return fail(m.error());
    std::vector<std::string> keys = {m->id};
    keys.insert(keys.end(), m->aliases.begin(), m->aliases.end());
    for (const auto& k : keys) {
      auto [it, fresh] = seen.emplace(to_lower(k), f);
      if (!fresh)
        return fail(error_in_file(f, k == m->id ? "id" : "aliases",
                                  fmt::format("id or alias '{}' is also used by {}", k, it->second)));
    }
    out.push_back(std::move(*m));
  }
  return out;
}

Result<ModelArch> find_model(const std::vector<ModelArch>& catalog, const std::string& id) {
  std::vector<std::string> names;
  for (const auto& m : catalog) {
    if (to_lower(m.id) == to_lower(id)) return m;
    for (const auto& al : m.aliases)
      if (to_lower(al) == to_lower(id)) return m;
    names.push_back(m.id);
  }
  return fail("--model", fmt::format("unknown model '{}'", id), did_you_mean(id, names));
}

}  // namespace worthit
