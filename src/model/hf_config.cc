// SPDX-License-Identifier: MIT
// config.json -> ModelArch. Field names are transformers' (LlamaConfig, Qwen3MoeConfig,
// GptOssConfig, Gemma3TextConfig, DeepseekV3Config, ...). Attention layouts follow what
// llama.cpp does with the converted model, so that both sources give the same ModelArch:
// llama/mistral/qwen2/phi3 windows are ignored, llama4 chunks 8192 tokens on 3 of 4 layers.
#include "model/hf_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace worthit {

namespace {

using json = nlohmann::json;

/// One supported transformers architecture.
struct HfArch {
  const char* hf_class;      ///< architectures[0]
  const char* model_type;    ///< top-level model_type, used when `architectures` is absent
  const char* gguf;          ///< llama.cpp general.architecture of the converted model
  bool text_config = false;  ///< model fields live under "text_config" (multimodal wrapper)
};

// Mistral3ForConditionalGeneration maps to "mistral3": current convert_hf_to_gguf.py writes
// that architecture for every Mistral 3 (Ministral 3, Mistral Small 3.x); older GGUFs of
// Mistral Small 3.1 say "llama", with the same tensors.
const std::vector<HfArch>& hf_arches() {
  static const std::vector<HfArch> t = {
      {"DeepseekV3ForCausalLM", "deepseek_v3", "deepseek2"},
      {"Gemma3ForCausalLM", "gemma3_text", "gemma3"},
      {"Gemma3ForConditionalGeneration", "gemma3", "gemma3", true},
      {"Glm4MoeForCausalLM", "glm4_moe", "glm4moe"},
      {"GptOssForCausalLM", "gpt_oss", "gpt-oss"},
      {"Llama4ForCausalLM", "llama4_text", "llama4"},
      {"Llama4ForConditionalGeneration", "llama4", "llama4", true},
      {"LlamaForCausalLM", "llama", "llama"},
      {"Mistral3ForConditionalGeneration", "mistral3", "mistral3", true},
      {"MistralForCausalLM", "mistral", "llama"},
      {"MixtralForCausalLM", "mixtral", "llama"},
      {"Phi3ForCausalLM", "phi3", "phi3"},
      {"PhiForCausalLM", "phi", "phi2"},
      {"Qwen2ForCausalLM", "qwen2", "qwen2"},
      {"Qwen3ForCausalLM", "qwen3", "qwen3"},
      {"Qwen3MoeForCausalLM", "qwen3_moe", "qwen3moe"},
      {"Qwen3NextForCausalLM", "qwen3_next", "qwen3next"},
  };
  return t;
}

constexpr uint64_t kMaxInt = std::numeric_limits<int>::max();
constexpr uint64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
constexpr uint64_t kMaxConfigBytes = 16ull << 20;

/// Typed field reads from the model's config object (text_config for wrappers, falling back
/// to the top level). The first problem is kept and reported by `error()`.
class FieldReader {
 public:
  FieldReader(const json& root, const json& cfg, std::string where, std::string prefix)
      : root_(root), cfg_(cfg), where_(std::move(where)), prefix_(std::move(prefix)) {}

  /// The field, or nullptr when absent or null.
  const json* find(std::string_view field) const {
    for (const json* obj : {&cfg_, &root_}) {
      auto it = obj->find(std::string(field));
      if (it != obj->end() && !it->is_null()) return &*it;
    }
    return nullptr;
  }
  std::optional<uint64_t> opt(std::string_view field, uint64_t max = kMaxInt);
  uint64_t req(std::string_view field, uint64_t max = kMaxInt) {
    std::optional<uint64_t> v = opt(field, max);
    if (!v && find(field) == nullptr) set(field, "required field is missing");
    return v.value_or(0);
  }
  std::optional<bool> opt_bool(std::string_view field);
  void set(std::string_view field, std::string what) {
    if (!err_) err_ = Error{fmt::format("{}: {}{}", where_, prefix_, field), std::move(what), {}};
  }
  bool failed() const { return err_.has_value(); }
  const Error& error() const { return *err_; }

 private:
  const json& root_;
  const json& cfg_;
  std::string where_;
  std::string prefix_;
  std::optional<Error> err_;
};

std::string json_kind(const json& v) {
  if (v.is_number_float()) return fmt::format("number {}", v.get<double>());
  if (v.is_number_integer() && !v.is_number_unsigned()) return fmt::format("{}", v.get<int64_t>());
  return v.type_name();
}

std::optional<uint64_t> FieldReader::opt(std::string_view field, uint64_t max) {
  const json* v = find(field);
  if (v == nullptr || err_) return std::nullopt;
  if (!v->is_number_unsigned()) {
    set(field, "expected a non-negative integer, got " + json_kind(*v));
    return std::nullopt;
  }
  const auto x = v->get<uint64_t>();
  if (x > max) {
    set(field, fmt::format("value {} exceeds the limit of {}", x, max));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> FieldReader::opt_bool(std::string_view field) {
  const json* v = find(field);
  if (v == nullptr || err_) return std::nullopt;
  if (!v->is_boolean()) {
    set(field, "expected true or false, got " + json_kind(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

/// The smallest period p with "layer i is full iff (i + 1) % p == 0" matching `layer_types`;
/// 0 when every layer slides. Sets `any_sliding`.
std::optional<int> period_of(FieldReader& r, int n_layers, bool& any_sliding) {
  const json* t = r.find("layer_types");
  if (!t->is_array() || t->size() != static_cast<size_t>(n_layers)) {
    r.set("layer_types", fmt::format("expected {} entries (num_hidden_layers)", n_layers));
    return std::nullopt;
  }
  std::vector<bool> full;
  for (const json& e : *t) {
    if (!e.is_string() ||
        (e != "full_attention" && e != "sliding_attention" && e != "chunked_attention")) {
      r.set("layer_types", "unknown layer type " + e.dump());
      return std::nullopt;
    }
    full.push_back(e == "full_attention");
  }
  any_sliding = std::find(full.begin(), full.end(), false) != full.end();
  if (std::find(full.begin(), full.end(), true) == full.end()) return 0;
  for (int p = 1; p <= n_layers; ++p) {
    bool ok = true;
    for (int i = 0; i < n_layers && ok; ++i) ok = full[i] == ((i + 1) % p == 0);
    if (ok) return p;
  }
  r.set("layer_types", "full and sliding layers do not follow a fixed period");
  return std::nullopt;
}

/// Sliding windows: gemma3 and gpt-oss from layer_types (or the period llama.cpp uses),
/// llama4 from attention_chunk_size; every other architecture has none in llama.cpp.
void read_swa(FieldReader& r, const std::string& arch, ModelArch& a) {
  if (arch == "llama4") {
    if (std::optional<uint64_t> c = r.opt("attention_chunk_size", kMaxInt64)) {
      a.sliding_window = static_cast<int64_t>(*c);
      a.swa_period = *c > 0 ? 4 : 0;
    }
    return;
  }
  if (arch != "gemma3" && arch != "gpt-oss") return;
  // Gemma3TextConfig's defaults (window 4096, pattern 6) apply when the fields are left out.
  const uint64_t dflt = arch == "gemma3" ? 4096 : 0;
  a.sliding_window =
      static_cast<int64_t>(dflt > 0 ? r.opt("sliding_window", kMaxInt64).value_or(dflt)
                                    : r.req("sliding_window", kMaxInt64));
  a.swa_period = arch == "gemma3" ? 6 : 2;
  if (arch == "gemma3")
    a.swa_period = static_cast<int>(r.opt("sliding_window_pattern").value_or(6));
  if (r.find("layer_types") == nullptr || r.failed()) return;
  bool any_sliding = false;
  std::optional<int> p = period_of(r, a.n_layers, any_sliding);
  if (!p) return;
  a.swa_period = *p == 1 ? 0 : *p;
  if (!any_sliding) a.sliding_window = 0;
}

/// Experts: counts under their several names, shared experts, leading dense layers.
void read_moe(FieldReader& r, const std::string& arch, ModelArch& a) {
  MoeSpec& m = a.moe;
  for (const char* f : {"num_experts", "num_local_experts", "n_routed_experts"}) {
    if (r.find(f) != nullptr) m.experts = static_cast<int>(r.opt(f).value_or(0));
  }
  if (m.experts == 0) return;
  const char* used = r.find("num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token";
  m.experts_used = static_cast<int>(r.req(used));
  if (!r.failed() && (m.experts_used == 0 || m.experts_used > m.experts))
    r.set(used, fmt::format("must be between 1 and the expert count ({})", m.experts));
  m.expert_ffn = static_cast<int64_t>(r.opt("moe_intermediate_size").value_or(a.ffn));
  if (arch == "llama4") {
    // intermediate_size is the expert's, intermediate_size_mlp the dense layers'.
    m.expert_ffn = a.ffn;
    a.ffn = static_cast<int64_t>(r.opt("intermediate_size_mlp").value_or(a.ffn));
    m.shared_experts = 1;
  }
  m.shared_experts = static_cast<int>(r.opt("n_shared_experts").value_or(m.shared_experts));
  if (std::optional<uint64_t> s = r.opt("shared_expert_intermediate_size"); s && *s > 0) {
    m.shared_experts = std::max(m.shared_experts, 1);
    m.shared_ffn = static_cast<int64_t>(*s) == m.expert_ffn ? 0 : static_cast<int64_t>(*s);
  }
  m.first_dense_layers = static_cast<int>(r.opt("first_k_dense_replace").value_or(0));
  m.interleave = static_cast<int>(
      r.opt("interleave_moe_layer_step").value_or(r.opt("decoder_sparse_step").value_or(1)));
  m.interleave = std::max(m.interleave, 1);
  if (const json* only = r.find("mlp_only_layers"); only && !(only->is_array() && only->empty()))
    r.set("mlp_only_layers", "dense layers at arbitrary positions are not supported");
}

/// DeepSeek MLA: head_dim is the q/k head (nope + rope), head_dim_v the v head.
void read_mla(FieldReader& r, ModelArch& a) {
  MlaSpec& m = a.mla;
  m.kv_lora_rank = static_cast<int>(r.req("kv_lora_rank"));
  m.q_lora_rank = static_cast<int>(r.opt("q_lora_rank").value_or(0));
  m.qk_rope_dim = static_cast<int>(r.req("qk_rope_head_dim"));
  m.qk_nope_dim = static_cast<int>(r.req("qk_nope_head_dim"));
  m.v_head_dim = static_cast<int>(r.req("v_head_dim"));
  a.head_dim = m.qk_rope_dim + m.qk_nope_dim;
  a.head_dim_v = m.v_head_dim != a.head_dim ? m.v_head_dim : 0;
  a.n_kv_heads = a.n_heads;
}

/// Qwen3-Next Gated DeltaNet layers.
void read_linear(FieldReader& r, ModelArch& a) {
  LinearSpec& l = a.linear;
  l.full_attention_interval = static_cast<int>(r.req("full_attention_interval"));
  l.heads_qk = static_cast<int>(r.req("linear_num_key_heads"));
  l.heads_v = static_cast<int>(r.req("linear_num_value_heads"));
  l.head_dim_qk = static_cast<int>(r.req("linear_key_head_dim"));
  l.head_dim_v = static_cast<int>(r.req("linear_value_head_dim"));
  l.conv_kernel = static_cast<int>(r.req("linear_conv_kernel_dim"));
}

/// Fields every architecture has. Gemma3TextConfig's defaults fill what Gemma 3 configs
/// leave out (vocab 262208, context 131072, tied embeddings).
void read_core(FieldReader& r, const std::string& arch, ModelArch& a) {
  const bool gemma = arch == "gemma3";
  a.n_layers = static_cast<int>(r.req("num_hidden_layers", 100000));
  a.hidden = static_cast<int64_t>(r.req("hidden_size"));
  a.n_heads = static_cast<int>(r.req("num_attention_heads"));
  if (a.n_heads == 0 && !r.failed()) r.set("num_attention_heads", "must be > 0");
  a.n_kv_heads = static_cast<int>(r.opt("num_key_value_heads").value_or(a.n_heads));
  const uint64_t by_heads = a.n_heads > 0 ? static_cast<uint64_t>(a.hidden / a.n_heads) : 0;
  a.head_dim = static_cast<int>(r.opt("head_dim").value_or(by_heads));
  a.ffn = static_cast<int64_t>(r.req("intermediate_size"));
  a.vocab =
      static_cast<int64_t>(gemma ? r.opt("vocab_size").value_or(262208) : r.req("vocab_size"));
  a.context_max =
      static_cast<int64_t>(gemma ? r.opt("max_position_embeddings", kMaxInt64).value_or(131072)
                                 : r.req("max_position_embeddings", kMaxInt64));
  a.tied_embeddings = r.opt_bool("tie_word_embeddings").value_or(gemma);
  a.attn_bias = r.opt_bool("attention_bias").value_or(arch == "qwen2" || arch == "phi2");
  a.ffn_gated = arch != "phi2";
  a.parallel_block = arch == "phi2";
}

/// The entry for architectures[0], or for model_type when there is no list.
const HfArch* find_arch(const json& root, std::string& name) {
  auto it = root.find("architectures");
  const bool listed = it != root.end() && it->is_array() && !it->empty() && (*it)[0].is_string();
  auto mt = root.find("model_type");
  name = listed                                ? (*it)[0].get<std::string>()
         : mt != root.end() && mt->is_string() ? mt->get<std::string>()
                                               : "";
  for (const HfArch& a : hf_arches()) {
    if (listed ? name == a.hf_class : name == a.model_type) return &a;
  }
  return nullptr;
}

Result<json> parse_json(std::string_view text, const std::string& where) {
  try {
    json root = json::parse(text);
    if (!root.is_object()) return fail(where, "expected a JSON object, got " + json_kind(root));
    return root;
  } catch (const json::parse_error& e) {
    // e.what() starts with "[json.exception.parse_error.101] "; keep the readable part.
    std::string what = e.what();
    const size_t cut = what.find("] ");
    return fail(where,
                "malformed JSON: " + (cut == std::string::npos ? what : what.substr(cut + 2)));
  }
}

}  // namespace

const std::vector<std::string>& hf_supported_architectures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const HfArch& a : hf_arches()) n.emplace_back(a.hf_class);
    return n;
  }();
  return names;
}

Result<ModelArch> arch_from_hf_json(std::string_view text, const std::string& where,
                                    const std::string& id) {
  Result<json> root = parse_json(text, where);
  if (!root) return fail(root.error());
  std::string name;
  const HfArch* h = find_arch(*root, name);
  if (name.empty()) return fail(where, "neither 'architectures' nor 'model_type' is given");
  if (h == nullptr) {
    return fail(where + ": architectures",
                fmt::format("unsupported architecture '{}' "
                            "(supported: {})",
                            name, fmt::join(hf_supported_architectures(), ", ")));
  }
  const json* cfg = &*root;
  if (h->text_config) {
    auto it = root->find("text_config");
    if (it == root->end() || !it->is_object())
      return fail(where + ": text_config", "required object is missing");
    cfg = &*it;
  }
  FieldReader r(*root, *cfg, where, h->text_config ? "text_config." : "");
  ModelArch a;
  a.id = id;
  a.name = id;
  a.arch = h->gguf;
  a.source = where;
  read_core(r, a.arch, a);
  read_moe(r, a.arch, a);
  read_swa(r, a.arch, a);
  if (a.arch == "deepseek2") read_mla(r, a);
  if (a.arch == "qwen3next") read_linear(r, a);
  if (a.head_dim_v == a.head_dim) a.head_dim_v = 0;
  if (r.failed()) return fail(r.error());
  return a;
}

Result<ModelArch> arch_from_hf_config(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return fail(path, "cannot open: no such file");
  if (fs::file_size(path, ec) > kMaxConfigBytes)
    return fail(path, fmt::format("larger than {} MiB; not a config.json", kMaxConfigBytes >> 20));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return fail(path, "read error");
  const fs::path p(path);
  std::string id =
      p.filename() == "config.json" ? p.parent_path().filename().string() : p.stem().string();
  if (id.empty()) id = "config";
  return arch_from_hf_json(text.str(), path, id);
}

}  // namespace worthit
