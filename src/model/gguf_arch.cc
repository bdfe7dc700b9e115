// SPDX-License-Identifier: MIT
// GGUF metadata -> ModelArch, and split-file loading. Key names and per-architecture rules
// follow llama.cpp (src/llama-arch.cpp LLM_KV_NAMES, src/llama-model.cpp load_hparams, and
// convert_hf_to_gguf.py for what the converter writes); where llama.cpp hard-codes a value
// (gemma3's window pattern, llama4's chunk size) we use the same value, because that is what
// the runtime does.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <unordered_set>

#include "model/gguf.h"

namespace worthit {

namespace {

/// How an architecture's sliding-window layers are laid out in llama.cpp.
enum class SwaRule {
  None,     ///< every layer is full attention (a window key, if any, is ignored by llama.cpp)
  Every2,   ///< gpt-oss: window required; layers 0, 2, 4... slide (set_swa_pattern(2))
  Every6,   ///< gemma3: window required; 5 sliding layers, then 1 global (set_swa_pattern(6))
  Chunked,  ///< llama4: chunked attention of 8192 tokens, every 4th layer global, unless the
            ///< file sets attention.sliding_window = 0
};

/// What arch_from_gguf needs to know about one architecture.
struct ArchTraits {
  const char* name;
  SwaRule swa = SwaRule::None;
  bool ffn_gated = true;        ///< phi2: up+down only
  bool parallel_block = false;  ///< phi2
  bool mla = false;             ///< deepseek2: multi-head latent attention
  bool linear = false;          ///< qwen3next: Gated DeltaNet layers
};

const std::vector<ArchTraits>& arch_traits() {
  static const std::vector<ArchTraits> t = {
      {"deepseek2", SwaRule::None, true, false, true, false},
      {"gemma3", SwaRule::Every6},
      {"glm4moe"},
      {"gpt-oss", SwaRule::Every2},
      {"llama"},
      {"llama4", SwaRule::Chunked},
      {"mistral3"},
      {"phi2", SwaRule::None, false, true},
      {"phi3"},  // llama.cpp disables Phi-3 SWA ("Phi SWA is currently disabled")
      {"qwen2"},
      {"qwen3"},
      {"qwen3moe"},
      {"qwen3next", SwaRule::None, true, false, false, true},
  };
  return t;
}

constexpr uint64_t kMaxInt = std::numeric_limits<int>::max();
constexpr uint64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
constexpr uint64_t kMaxLayers = 100000;

/// Typed reads of "<arch>.<suffix>" keys. The first problem is kept (sticky) and reported by
/// `error()`, so callers read many keys and check once.
class MetaReader {
 public:
  MetaReader(const GgufFile& f, std::string where, std::string arch)
      : f_(f), where_(std::move(where)), arch_(std::move(arch)) {}

  /// An unsigned scalar, <= max; nullopt when missing (or after an error).
  std::optional<uint64_t> opt(std::string_view suffix, uint64_t max = kMaxInt) {
    return scalar(key(suffix), max);
  }
  /// Like opt, but a missing key is an error.
  uint64_t req(std::string_view suffix, uint64_t max = kMaxInt) {
    std::optional<uint64_t> v = opt(suffix, max);
    if (!v && !err_ && f_.find(key(suffix)) == nullptr) set(key(suffix), "required key is missing");
    return v.value_or(0);
  }
  /// A scalar or a per-layer array (llama.cpp get_key_or_arr); for an array, the largest
  /// non-zero element.
  std::optional<uint64_t> opt_max(std::string_view suffix, uint64_t max = kMaxInt);
  /// Records an error about `full_key` unless one is already kept.
  void set(const std::string& full_key, std::string what) {
    if (!err_)
      err_ = Error{fmt::format("{}: metadata '{}'", where_, full_key), std::move(what), {}};
  }
  std::string key(std::string_view suffix) const { return arch_ + "." + std::string(suffix); }
  const std::optional<Error>& error() const { return err_; }
  const GgufFile& file() const { return f_; }

  /// An unsigned scalar under a full key (no architecture prefix).
  std::optional<uint64_t> scalar(const std::string& full_key, uint64_t max);

 private:
  const GgufFile& f_;
  std::string where_;
  std::string arch_;
  std::optional<Error> err_;
};

/// What a value holds, for "expected ..., got ..." messages.
std::string describe(const GgufValue& v) {
  if (const GgufArray* a = v.as_array()) {
    return fmt::format("array of {}", gguf_type_name(static_cast<uint32_t>(a->type)));
  }
  if (v.as_u64() || v.type() == GgufType::String || v.type() == GgufType::Bool) {
    return gguf_type_name(static_cast<uint32_t>(v.type()));
  }
  if (auto d = v.as_f64())
    return fmt::format("{} {}", gguf_type_name(static_cast<uint32_t>(v.type())), *d);
  return gguf_type_name(static_cast<uint32_t>(v.type()));
}

std::optional<uint64_t> MetaReader::scalar(const std::string& full_key, uint64_t max) {
  if (err_) return std::nullopt;
  const GgufValue* v = f_.find(full_key);
  if (v == nullptr) return std::nullopt;
  std::optional<uint64_t> x = v->as_u64();
  if (!x) {
    set(full_key, "expected an unsigned integer, got " + describe(*v));
    return std::nullopt;
  }
  if (*x > max) {
    set(full_key, fmt::format("value {} exceeds the limit of {}", *x, max));
    return std::nullopt;
  }
  return x;
}

std::optional<uint64_t> MetaReader::opt_max(std::string_view suffix, uint64_t max) {
  const std::string k = key(suffix);
  const GgufValue* v = f_.find(k);
  const GgufArray* a = v != nullptr ? v->as_array() : nullptr;
  if (a == nullptr) return scalar(k, max);
  if (err_) return std::nullopt;
  uint64_t best = 0;
  for (uint64_t i = 0; i < a->size; ++i) {
    std::optional<uint64_t> x = a->u64_at(i);
    if (!x) {
      set(k, "expected unsigned integers, got " + describe(*v));
      return std::nullopt;
    }
    best = std::max(best, *x);
  }
  if (best > max) {
    set(k, fmt::format("value {} exceeds the limit of {}", best, max));
    return std::nullopt;
  }
  return best;
}

bool has_tensor(const GgufFile& f, std::string_view name) {
  return std::any_of(f.tensors.begin(), f.tensors.end(),
                     [&](const TensorInfo& t) { return t.name == name; });
}

bool name_ends_with(const TensorInfo& t, std::string_view suffix) {
  return t.name.size() >= suffix.size() &&
         std::string_view(t.name).substr(t.name.size() - suffix.size()) == suffix;
}

/// Layers, widths, vocabulary and context: keys every supported architecture writes.
void read_core(MetaReader& r, ModelArch& a) {
  const uint64_t blocks = r.req("block_count", kMaxLayers);
  // glm4moe (and others) append nextn/MTP blocks that have no KV cache and are not part of
  // the forward pass (llama.cpp: n_layer_kv_from_start = n_layer - nextn_predict_layers).
  const uint64_t nextn = r.opt("nextn_predict_layers", kMaxLayers).value_or(0);
  if (nextn >= blocks && nextn > 0) r.set(r.key("nextn_predict_layers"), "not below block_count");
  a.n_layers = static_cast<int>(blocks - std::min(nextn, blocks));
  a.hidden = static_cast<int64_t>(r.req("embedding_length"));
  a.ffn = static_cast<int64_t>(r.opt_max("feed_forward_length").value_or(0));
  a.context_max = static_cast<int64_t>(r.req("context_length", kMaxInt64));
  if (std::optional<uint64_t> v = r.opt("vocab_size")) {
    a.vocab = static_cast<int64_t>(*v);
  } else if (const GgufValue* tok = r.file().find("tokenizer.ggml.tokens");
             tok != nullptr && tok->as_array() != nullptr) {
    a.vocab = static_cast<int64_t>(tok->as_array()->size);
  } else {
    for (const TensorInfo& t : r.file().tensors)
      if (t.name == "token_embd.weight") a.vocab = static_cast<int64_t>(t.ne[1]);
  }
  if (a.vocab == 0 && !r.error())
    r.set(r.key("vocab_size"),
          "required key is missing (and "
          "there is no tokenizer.ggml.tokens or token_embd.weight)");
}

/// Heads and head sizes; defaults as in llama.cpp (kv heads = heads, head = hidden / heads).
void read_attention(MetaReader& r, ModelArch& a) {
  a.n_heads = static_cast<int>(r.opt_max("attention.head_count").value_or(0));
  if (a.n_heads == 0) {
    if (!r.error()) r.set(r.key("attention.head_count"), "required key is missing or 0");
    return;
  }
  a.n_kv_heads = static_cast<int>(r.opt_max("attention.head_count_kv").value_or(a.n_heads));
  if (a.n_kv_heads == 0) a.n_kv_heads = a.n_heads;
  const auto by_heads = static_cast<uint64_t>(a.hidden / a.n_heads);
  a.head_dim = static_cast<int>(r.opt("attention.key_length").value_or(by_heads));
  const auto v = static_cast<int>(r.opt("attention.value_length").value_or(by_heads));
  a.head_dim_v = v != a.head_dim ? v : 0;
}

/// Routed and shared experts. Shared experts come from expert_shared_count, else from
/// expert_shared_feed_forward_length (qwen2moe/qwen3next write only the size), else from
/// ffn_*_shexp tensors (llama4). A shared size covering `count` experts is split evenly.
void read_moe(MetaReader& r, ModelArch& a) {
  MoeSpec& m = a.moe;
  m.experts = static_cast<int>(r.opt("expert_count").value_or(0));
  if (m.experts == 0) return;
  m.experts_used = static_cast<int>(r.req("expert_used_count"));
  if ((m.experts_used == 0 || m.experts_used > m.experts) && !r.error()) {
    r.set(r.key("expert_used_count"),
          fmt::format("must be between 1 and expert_count ({})", m.experts));
  }
  m.expert_ffn = static_cast<int64_t>(r.opt("expert_feed_forward_length").value_or(a.ffn));
  std::optional<uint64_t> count = r.opt("expert_shared_count");
  uint64_t shared_ffn = r.opt("expert_shared_feed_forward_length").value_or(0);
  for (const TensorInfo& t : r.file().tensors) {
    if (name_ends_with(t, "ffn_up_shexp.weight") && shared_ffn == 0) shared_ffn = t.ne[1];
  }
  m.shared_experts = static_cast<int>(count.value_or(shared_ffn > 0 ? 1 : 0));
  if (m.shared_experts > 1) shared_ffn /= static_cast<uint64_t>(m.shared_experts);
  m.shared_ffn =
      static_cast<int64_t>(shared_ffn) == m.expert_ffn ? 0 : static_cast<int64_t>(shared_ffn);
  m.interleave = std::max<int>(1, static_cast<int>(r.opt("interleave_moe_layer_step").value_or(1)));
  m.first_dense_layers =
      static_cast<int>(r.opt("leading_dense_block_count", kMaxLayers).value_or(0));
}

/// Sliding-window layout, mirroring llama.cpp's per-architecture rules.
void read_swa(MetaReader& r, SwaRule rule, ModelArch& a) {
  switch (rule) {
    case SwaRule::None:
      return;
    case SwaRule::Every2:
    case SwaRule::Every6:
      a.sliding_window = static_cast<int64_t>(r.req("attention.sliding_window", kMaxInt64));
      a.swa_period = rule == SwaRule::Every2 ? 2 : 6;
      return;
    case SwaRule::Chunked: {
      std::optional<uint64_t> w = r.opt("attention.sliding_window", kMaxInt64);
      if (w && *w == 0) return;  // llama.cpp: an explicit 0 turns chunking off
      a.sliding_window = 8192;   // llama.cpp hard-codes the chunk size and the 3:1 pattern
      a.swa_period = 4;
      return;
    }
  }
}

/// DeepSeek MLA. Current converters write the compressed sizes under key_length/value_length
/// and the per-head sizes under key_length_mla/value_length_mla; older files only the latter
/// meaning under the plain keys. head_dim/head_dim_v end up as the per-head q/k and v sizes.
void read_mla(MetaReader& r, ModelArch& a) {
  MlaSpec& m = a.mla;
  m.kv_lora_rank = static_cast<int>(r.req("attention.kv_lora_rank"));
  m.q_lora_rank = static_cast<int>(r.opt("attention.q_lora_rank").value_or(0));
  m.qk_rope_dim = static_cast<int>(r.req("rope.dimension_count"));
  if (std::optional<uint64_t> k = r.opt("attention.key_length_mla")) {
    const int v = static_cast<int>(r.req("attention.value_length_mla"));
    a.head_dim = static_cast<int>(*k);
    a.head_dim_v = v != a.head_dim ? v : 0;
  }
  if (m.qk_rope_dim > a.head_dim && !r.error()) {
    r.set(r.key("rope.dimension_count"),
          fmt::format("{} exceeds the key head size {}", m.qk_rope_dim, a.head_dim));
  }
  m.qk_nope_dim = a.head_dim - m.qk_rope_dim;
  m.v_head_dim = a.v_dim();
  a.n_kv_heads = a.n_heads;  // the cache holds the latent; nominally one KV head per head
}

/// qwen3next Gated DeltaNet, as convert_hf_to_gguf.py writes it: ssm.conv_kernel =
/// linear_conv_kernel_dim, ssm.state_size = linear_key_head_dim, ssm.group_count =
/// linear_num_key_heads, ssm.time_step_rank = linear_num_value_heads, ssm.inner_size =
/// linear_value_head_dim x linear_num_value_heads. full_attention_interval defaults to 4, the
/// value llama.cpp hard-codes for qwen3next.
void read_linear(MetaReader& r, ModelArch& a) {
  LinearSpec& l = a.linear;
  l.full_attention_interval = static_cast<int>(r.opt("full_attention_interval").value_or(4));
  l.conv_kernel = static_cast<int>(r.req("ssm.conv_kernel"));
  l.head_dim_qk = static_cast<int>(r.req("ssm.state_size"));
  l.heads_qk = static_cast<int>(r.req("ssm.group_count"));
  l.heads_v = static_cast<int>(r.req("ssm.time_step_rank"));
  const uint64_t inner = r.req("ssm.inner_size");
  if (r.error()) return;
  if (l.heads_v == 0 || inner % static_cast<uint64_t>(l.heads_v) != 0) {
    r.set(r.key("ssm.inner_size"),
          fmt::format("{} is not a multiple of ssm.time_step_rank ({})", inner, l.heads_v));
    return;
  }
  l.head_dim_v = static_cast<int>(inner / static_cast<uint64_t>(l.heads_v));
}

/// Facts only the tensor list gives: tied output, attention biases, leading dense layers
/// when the key is absent (a MoE model whose first blocks have no expert tensors).
void read_tensor_facts(const GgufFile& f, ModelArch& a) {
  if (f.tensors.empty()) return;
  a.tied_embeddings = !has_tensor(f, "output.weight");
  for (const TensorInfo& t : f.tensors) {
    if (name_ends_with(t, "attn_q.bias") || name_ends_with(t, "attn_k.bias") ||
        name_ends_with(t, "attn_v.bias") || name_ends_with(t, "attn_qkv.bias"))
      a.attn_bias = true;
  }
  if (!a.is_moe() || a.moe.first_dense_layers > 0 || a.moe.interleave > 1 ||
      f.find(a.arch + ".leading_dense_block_count") != nullptr)
    return;
  int first_moe = std::numeric_limits<int>::max();
  for (const TensorInfo& t : f.tensors)
    if (t.role == TensorRole::FfnExperts && t.layer >= 0) first_moe = std::min(first_moe, t.layer);
  if (first_moe != std::numeric_limits<int>::max() && first_moe < a.n_layers)
    a.moe.first_dense_layers = first_moe;
}

/// File name without directory, ".gguf" and a "-0000K-of-0000N" split suffix.
std::string model_stem(const std::string& path) {
  std::string s = std::filesystem::path(path).filename().string();
  if (s.size() > 5 && s.ends_with(".gguf")) s.resize(s.size() - 5);
  const size_t of = s.rfind("-of-");
  if (of != std::string::npos && of >= 6 && s[of - 6] == '-') s.resize(of - 6);
  return s;
}

}  // namespace

const std::vector<std::string>& gguf_supported_architectures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const ArchTraits& t : arch_traits()) n.emplace_back(t.name);
    std::sort(n.begin(), n.end());
    return n;
  }();
  return names;
}

Result<ModelArch> arch_from_gguf(const GgufFile& file, const std::string& where) {
  const std::string arch_where = where + ": metadata 'general.architecture'";
  const GgufValue* v = file.find("general.architecture");
  if (v == nullptr) return fail(arch_where, "required key is missing");
  if (v->as_string() == nullptr) return fail(arch_where, "expected a string, got " + describe(*v));
  const std::string& name = *v->as_string();
  auto it = std::find_if(arch_traits().begin(), arch_traits().end(),
                         [&](const ArchTraits& t) { return name == t.name; });
  if (it == arch_traits().end()) {
    return fail(arch_where, fmt::format("unsupported architecture '{}' (supported: {})", name,
                                        fmt::join(gguf_supported_architectures(), ", ")));
  }
  ModelArch a;
  a.arch = name;
  a.id = model_stem(file.path.empty() ? where : file.path);
  a.name = file.get_str("general.name").value_or(a.id);
  a.source = file.path.empty() ? where : file.path;
  a.ffn_gated = it->ffn_gated;
  a.parallel_block = it->parallel_block;
  MetaReader r(file, where, name);
  read_core(r, a);
  read_attention(r, a);
  read_moe(r, a);
  read_swa(r, it->swa, a);
  if (it->mla) read_mla(r, a);
  if (it->linear) read_linear(r, a);
  if (r.error()) return fail(*r.error());
  read_tensor_facts(file, a);
  return a;
}

namespace {

/// "NAME-0000K-of-0000N.gguf" -> (K, N); nullopt for other names.
std::optional<std::pair<int, int>> split_numbers(const std::string& path) {
  const std::string f = std::filesystem::path(path).filename().string();
  constexpr size_t kTail = 20;  // "-00001-of-00003.gguf"
  if (f.size() <= kTail || !f.ends_with(".gguf")) return std::nullopt;
  const std::string t = f.substr(f.size() - kTail);
  auto digits = [&](size_t at) {
    int v = 0;
    for (size_t i = at; i < at + 5; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int k = digits(1);
  const int n = digits(10);
  if (t[0] != '-' || t.substr(6, 4) != "-of-" || k < 1 || n < k) return std::nullopt;
  return std::make_pair(k, n);
}

std::string split_path(const std::string& path, int k, int n) {
  return path.substr(0, path.size() - 20) + fmt::format("-{:05}-of-{:05}.gguf", k, n);
}

/// Checks split.no / split.count of split k (1-based) of n.
Status check_split_keys(const GgufFile& f, int k, int n) {
  const std::optional<uint64_t> no = f.get_u64("split.no");
  const std::optional<uint64_t> count = f.get_u64("split.count");
  if (!count || *count != static_cast<uint64_t>(n)) {
    return fail(f.path + ": metadata 'split.count'",
                count ? fmt::format("{} does not match the file name (of {:05})", *count, n)
                      : std::string("missing or not an integer in a split file"));
  }
  if (!no || *no != static_cast<uint64_t>(k - 1)) {
    return fail(f.path + ": metadata 'split.no'",
                no ? fmt::format("{} does not match the file name (expected {})", *no, k - 1)
                   : std::string("missing or not an integer in a split file"));
  }
  return Ok{};
}

/// Reads all splits of the model that `path` belongs to, in order.
Result<std::vector<GgufFile>> read_splits(const std::string& path) {
  std::vector<GgufFile> files;
  const std::optional<std::pair<int, int>> kn = split_numbers(path);
  if (!kn) {
    Result<GgufFile> f = read_gguf(path);
    if (!f) return fail(f.error());
    const uint64_t count = f->get_u64("split.count").value_or(1);
    if (count > 1) {
      return fail(path + ": metadata 'split.count'",
                  fmt::format("the file is split {} of a {}-part model, but its name does not "
                              "end in -0000K-of-0000N.gguf",
                              f->get_u64("split.no").value_or(0) + 1, count));
    }
    files.push_back(std::move(*f));
    return files;
  }
  const int n = kn->second;
  for (int k = 1; k <= n; ++k) {
    const std::string p = split_path(path, k, n);
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) {
      return fail(p, fmt::format("split {} of {} is missing", k, n),
                  "all splits must be in the same directory");
    }
    Result<GgufFile> f = read_gguf(p);
    if (!f) return fail(f.error());
    if (Status s = check_split_keys(*f, k, n); !s) return fail(s.error());
    files.push_back(std::move(*f));
  }
  return files;
}

/// Moves every split's tensors into the first file; duplicate names across splits are errors.
Status merge_splits(std::vector<GgufFile>& files) {
  GgufFile& first = files.front();
  std::unordered_set<std::string> names;
  for (const TensorInfo& t : first.tensors) names.insert(t.name);
  for (size_t i = 1; i < files.size(); ++i) {
    for (TensorInfo& t : files[i].tensors) {
      if (!names.insert(t.name).second) {
        return fail(files[i].path + ": tensor '" + t.name + "'",
                    "duplicate tensor name (also in an earlier split)");
      }
      first.tensors.push_back(std::move(t));
    }
  }
  const std::optional<uint64_t> want = first.get_u64("split.tensors.count");
  if (files.size() > 1 && want && *want != first.tensors.size()) {
    return fail(
        first.path + ": metadata 'split.tensors.count'",
        fmt::format("{} tensors declared, the splits hold {}", *want, first.tensors.size()));
  }
  return Ok{};
}

}  // namespace

Result<GgufModel> load_gguf_model(const std::string& path) {
  Result<std::vector<GgufFile>> files = read_splits(path);
  if (!files) return fail(files.error());
  GgufModel m;
  m.split_count = static_cast<int>(files->size());
  for (const GgufFile& f : *files) m.file_bytes += f.file_size;
  if (Status s = merge_splits(*files); !s) return fail(s.error());
  GgufFile& first = files->front();
  Result<ModelArch> arch = arch_from_gguf(first, first.path);
  if (!arch) return fail(arch.error());
  m.arch = std::move(*arch);
  m.name = first.get_str("general.name").value_or(model_stem(first.path));
  if (std::optional<uint64_t> ft = first.get_u64("general.file_type");
      ft && *ft <= std::numeric_limits<uint32_t>::max())
    m.file_type = file_type_from_id(static_cast<uint32_t>(*ft));
  m.tensors = std::move(first.tensors);
  for (const TensorInfo& t : m.tensors) m.tensor_bytes += t.bytes();
  return m;
}

}  // namespace worthit
