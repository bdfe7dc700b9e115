// SPDX-License-Identifier: MIT
// A small GGUF writer for tests: valid files of any declared size (the data region is left
// sparse), and a byte builder for hand-made broken ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/gguf.h"

namespace worthit::test {

/// Little-endian byte builder; every method appends and returns *this.
class GgufBytes {
 public:
  /// Unsigned integers of 1, 2, 4 and 8 bytes.
  GgufBytes& u8(uint8_t v) { return le(v, 1); }
  GgufBytes& u16(uint16_t v) { return le(v, 2); }
  GgufBytes& u32(uint32_t v) { return le(v, 4); }
  GgufBytes& u64(uint64_t v) { return le(v, 8); }
  /// A GGUF string: u64 length, then the bytes.
  GgufBytes& str(std::string_view s);
  /// Bytes as they are.
  GgufBytes& raw(const std::vector<uint8_t>& b);
  /// Zero bytes up to the next multiple of `alignment`.
  GgufBytes& pad_to(uint64_t alignment);
  /// Writes the value's encoding (no type id in front).
  GgufBytes& value(const GgufValue& v);

  /// The bytes so far.
  const std::vector<uint8_t>& data() const { return b_; }
  uint64_t size() const { return b_.size(); }

 private:
  GgufBytes& le(uint64_t v, int width);
  GgufBytes& array(const GgufArray& a);
  std::vector<uint8_t> b_;
};

/// Value helpers.
template <class T>
GgufValue gguf_value(T x) {
  GgufValue v;
  v.v = std::move(x);
  return v;
}
inline GgufValue gguf_str(std::string s) { return gguf_value(std::move(s)); }
/// An array of `type` from values of that type (nested arrays: values holding GgufArray).
GgufArray gguf_array(GgufType type, const std::vector<GgufValue>& items);
GgufValue gguf_u32_array(const std::vector<uint32_t>& items);
GgufValue gguf_str_array(const std::vector<std::string>& items);

/// Builds a GGUF file: metadata in insertion order, tensor infos with offsets assigned in
/// order (each aligned), then the data region.
class GgufWriter {
 public:
  explicit GgufWriter(uint32_t version = 3) : version_(version) {}

  GgufWriter& set(std::string key, GgufValue v);
  GgufWriter& set_u32(std::string key, uint32_t v) { return set(std::move(key), gguf_value(v)); }
  GgufWriter& set_str(std::string key, std::string v) {
    return set(std::move(key), gguf_str(std::move(v)));
  }
  /// A tensor whose offset is the previous tensor's aligned end.
  GgufWriter& tensor(std::string name, std::vector<uint64_t> ne, GgmlType type);
  /// A tensor with a raw type id and an explicit offset (for broken files).
  GgufWriter& tensor_raw(std::string name, std::vector<uint64_t> ne, uint32_t type_id,
                         uint64_t offset);

  /// general.alignment when set as a uint32, else 32.
  uint32_t alignment() const;
  /// Header bytes, padded to the start of the data section.
  std::vector<uint8_t> header() const;
  /// Size of the data region: the last tensor's aligned end.
  uint64_t data_size() const { return data_end_; }
  /// Header plus data region.
  uint64_t file_size() const { return header().size() + data_size(); }
  /// The whole file in memory, data zeroed.
  std::vector<uint8_t> bytes() const;
  /// Writes the file with a sparse data region (seek to the end, write one byte); `size`
  /// overrides the total size (smaller: a truncated file). False on an I/O error.
  bool write(const std::string& path, std::optional<uint64_t> size = std::nullopt) const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;
    uint32_t type_id;
    uint64_t offset;
  };
  uint32_t version_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<Tensor> tensors_;
  uint64_t data_end_ = 0;
};

/// One line with every ModelArch field that is set, for whole-value assertions:
/// "llama layers=2 hidden=256 heads=8/2 head=32 ffn=512 vocab=1024 ctx=4096 tied ...".
/// head=K/V when the V head differs; then, when set: tied, bias, ungated, parallel,
/// swa=WINDOW/PERIOD, moe=EXPERTS/USEDxFFN, shared=NxFFN, dense=N, step=N,
/// mla=qQ/kvKV/ropeR/nopeN/vV, linear=everyN qk=HxD v=HxD conv=K.
std::string arch_summary(const ModelArch& a);

/// Writes `bytes` to `path`; false on an I/O error.
bool write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace worthit::test
