// SPDX-License-Identifier: MIT
#include "support/gguf_writer.h"

#include <fmt/format.h>

#include <bit>
#include <fstream>

namespace worthit::test {

GgufBytes& GgufBytes::le(uint64_t v, int width) {
  for (int i = 0; i < width; ++i) b_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}

GgufBytes& GgufBytes::str(std::string_view s) {
  u64(s.size());
  b_.insert(b_.end(), s.begin(), s.end());
  return *this;
}

GgufBytes& GgufBytes::raw(const std::vector<uint8_t>& b) {
  b_.insert(b_.end(), b.begin(), b.end());
  return *this;
}

GgufBytes& GgufBytes::pad_to(uint64_t alignment) {
  while (b_.size() % alignment != 0) b_.push_back(0);
  return *this;
}

GgufBytes& GgufBytes::array(const GgufArray& a) {
  u32(static_cast<uint32_t>(a.type));
  u64(a.size);
  if (a.type == GgufType::String) {
    for (uint64_t i = 0; i < a.size; ++i) str(a.string_at(i));
  } else if (a.type == GgufType::Array) {
    for (const GgufArray& sub : a.arrays) array(sub);
  } else {
    raw(a.scalars);
  }
  return *this;
}

GgufBytes& GgufBytes::value(const GgufValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          str(x);
        } else if constexpr (std::is_same_v<T, GgufArray>) {
          array(x);
        } else if constexpr (std::is_same_v<T, float>) {
          u32(std::bit_cast<uint32_t>(x));
        } else if constexpr (std::is_same_v<T, double>) {
          u64(std::bit_cast<uint64_t>(x));
        } else {
          le(static_cast<uint64_t>(x), sizeof(T));
        }
      },
      v.v);
  return *this;
}

GgufArray gguf_array(GgufType type, const std::vector<GgufValue>& items) {
  GgufArray a;
  a.type = type;
  a.size = items.size();
  GgufBytes b;
  for (const GgufValue& v : items) {
    if (const std::string* s = v.as_string()) {
      a.chars += *s;
      a.ends.push_back(a.chars.size());
    } else if (const GgufArray* sub = v.as_array()) {
      a.arrays.push_back(*sub);
    } else {
      b.value(v);
    }
  }
  a.scalars = b.data();
  return a;
}

GgufValue gguf_u32_array(const std::vector<uint32_t>& items) {
  std::vector<GgufValue> v;
  for (uint32_t x : items) v.push_back(gguf_value(x));
  return gguf_value(gguf_array(GgufType::U32, v));
}

GgufValue gguf_str_array(const std::vector<std::string>& items) {
  std::vector<GgufValue> v;
  for (const std::string& x : items) v.push_back(gguf_str(x));
  return gguf_value(gguf_array(GgufType::String, v));
}

GgufWriter& GgufWriter::set(std::string key, GgufValue v) {
  kv_.emplace_back(std::move(key), std::move(v));
  return *this;
}

uint32_t GgufWriter::alignment() const {
  for (const auto& [k, v] : kv_) {
    if (k == "general.alignment" && v.type() == GgufType::U32) return std::get<uint32_t>(v.v);
  }
  return 32;
}

GgufWriter& GgufWriter::tensor(std::string name, std::vector<uint64_t> ne, GgmlType type) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  uint64_t elems = 1;
  for (uint64_t n : ne) elems *= n;
  const uint64_t bytes = elems / info.block_elems * info.block_bytes;
  const uint64_t a = alignment();
  const uint64_t offset = (data_end_ + a - 1) / a * a;
  tensors_.push_back({std::move(name), std::move(ne), static_cast<uint32_t>(type), offset});
  data_end_ = (offset + bytes + a - 1) / a * a;
  return *this;
}

GgufWriter& GgufWriter::tensor_raw(std::string name, std::vector<uint64_t> ne, uint32_t type_id,
                                   uint64_t offset) {
  tensors_.push_back({std::move(name), std::move(ne), type_id, offset});
  return *this;
}

std::vector<uint8_t> GgufWriter::header() const {
  GgufBytes b;
  b.u32(0x46554747).u32(version_).u64(tensors_.size()).u64(kv_.size());
  for (const auto& [k, v] : kv_) {
    b.str(k).u32(static_cast<uint32_t>(v.type())).value(v);
  }
  for (const Tensor& t : tensors_) {
    b.str(t.name).u32(static_cast<uint32_t>(t.ne.size()));
    for (uint64_t n : t.ne) b.u64(n);
    b.u32(t.type_id).u64(t.offset);
  }
  // A zero alignment cannot pad; broken files with one end where the header ends.
  if (alignment() > 0) b.pad_to(alignment());
  return b.data();
}

std::vector<uint8_t> GgufWriter::bytes() const {
  std::vector<uint8_t> out = header();
  out.resize(out.size() + data_size(), 0);
  return out;
}

bool GgufWriter::write(const std::string& path, std::optional<uint64_t> size) const {
  std::vector<uint8_t> h = header();
  const uint64_t total = size.value_or(h.size() + data_size());
  if (total < h.size()) h.resize(total);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
  if (total > h.size()) {
    out.seekp(static_cast<std::streamoff>(total - 1));
    out.put('\0');
  }
  return static_cast<bool>(out);
}

std::string arch_summary(const ModelArch& a) {
  std::string s = fmt::format("{} layers={} hidden={} heads={}/{} head={}", a.arch, a.n_layers,
                              a.hidden, a.n_heads, a.n_kv_heads, a.head_dim);
  if (a.head_dim_v != 0) s += fmt::format("/{}", a.head_dim_v);
  s += fmt::format(" ffn={} vocab={} ctx={}", a.ffn, a.vocab, a.context_max);
  if (a.tied_embeddings) s += " tied";
  if (a.attn_bias) s += " bias";
  if (!a.ffn_gated) s += " ungated";
  if (a.parallel_block) s += " parallel";
  if (a.sliding_window != 0 || a.swa_period != 0)
    s += fmt::format(" swa={}/{}", a.sliding_window, a.swa_period);
  const MoeSpec& m = a.moe;
  if (m.experts != 0) s += fmt::format(" moe={}/{}x{}", m.experts, m.experts_used, m.expert_ffn);
  if (m.shared_experts != 0) s += fmt::format(" shared={}x{}", m.shared_experts, m.shared_ffn);
  if (m.first_dense_layers != 0) s += fmt::format(" dense={}", m.first_dense_layers);
  if (m.interleave != 1) s += fmt::format(" step={}", m.interleave);
  const MlaSpec& q = a.mla;
  if (q.kv_lora_rank != 0) {
    s += fmt::format(" mla=q{}/kv{}/rope{}/nope{}/v{}", q.q_lora_rank, q.kv_lora_rank,
                     q.qk_rope_dim, q.qk_nope_dim, q.v_head_dim);
  }
  const LinearSpec& l = a.linear;
  if (l.full_attention_interval != 0) {
    s += fmt::format(" linear=every{} qk={}x{} v={}x{} conv={}", l.full_attention_interval,
                     l.heads_qk, l.head_dim_qk, l.heads_v, l.head_dim_v, l.conv_kernel);
  }
  return s;
}

bool write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace worthit::test
