// SPDX-License-Identifier: MIT
// GGUF header reader: metadata and tensor infos of llama.cpp model files (v2 and v3,
// little-endian). Reads the header only, never tensor data, and treats every byte as untrusted.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "model/arch.h"
#include "model/quant.h"
#include "model/tensor.h"

namespace worthit {

/// Metadata value types with their ids as stored in GGUF (`enum gguf_type`).
enum class GgufType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};

/// "uint32", "string", "array", ...; "type N" for ids out of range.
std::string gguf_type_name(uint32_t id);
/// Bytes of one element of a fixed-size type; 0 for String and Array.
constexpr int gguf_type_width(GgufType t) {
  constexpr int kWidth[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
  const auto id = static_cast<uint32_t>(t);
  return id < std::size(kWidth) ? kWidth[id] : 0;
}

/// An array value. Kept compact, because tokenizer arrays hold hundreds of thousands of
/// elements: fixed-size elements stay in their file encoding, strings share one buffer, and
/// only nested arrays are stored as objects.
struct GgufArray {
  GgufType type = GgufType::U8;   ///< element type
  uint64_t size = 0;              ///< element count
  std::vector<uint8_t> scalars;   ///< fixed-size elements, little-endian (size x width bytes)
  std::string chars;              ///< String: all elements, concatenated
  std::vector<uint64_t> ends;     ///< String: end of element i in `chars`
  std::vector<GgufArray> arrays;  ///< Array: the nested arrays

  /// Element i of a String array; empty when out of range or not a String array.
  std::string_view string_at(uint64_t i) const {
    if (type != GgufType::String || i >= ends.size()) return {};
    const uint64_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(chars).substr(begin, ends[i] - begin);
  }
  /// Element i of an integer array when it is >= 0; nullopt otherwise (also for bool).
  std::optional<uint64_t> u64_at(uint64_t i) const;
  /// Element i of any numeric array (integers, floats, bool) as a double.
  std::optional<double> f64_at(uint64_t i) const;
  bool operator==(const GgufArray&) const = default;
};

/// One metadata value. The variant's alternatives follow the GGUF type ids, so
/// `v.index()` is the type id.
struct GgufValue {
  std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool, std::string,
               GgufArray, uint64_t, int64_t, double>
      v;  ///< the value; a bool is read from one byte, non-zero meaning true

  /// The GGUF type of the value.
  GgufType type() const { return static_cast<GgufType>(v.index()); }
  /// Any integer type holding a value >= 0; nullopt for negative values and other types.
  std::optional<uint64_t> as_u64() const {
    return std::visit(
        [](const auto& x) -> std::optional<uint64_t> {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            if (x < 0) return std::nullopt;
            return static_cast<uint64_t>(x);
          } else {
            return std::nullopt;
          }
        },
        v);
  }
  /// Any integer, bool or float type as a double.
  std::optional<double> as_f64() const {
    return std::visit(
        [](const auto& x) -> std::optional<double> {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_arithmetic_v<T>)
            return static_cast<double>(x);
          else
            return std::nullopt;
        },
        v);
  }
  /// The string, or nullptr when the value is not a string.
  const std::string* as_string() const { return std::get_if<std::string>(&v); }
  /// The array, or nullptr when the value is not an array.
  const GgufArray* as_array() const { return std::get_if<GgufArray>(&v); }
  bool operator==(const GgufValue&) const = default;
};

/// A parsed GGUF header.
struct GgufFile {
  std::string path;          ///< file the header came from (used in error messages)
  uint32_t version = 0;      ///< 2 or 3
  uint32_t alignment = 32;   ///< general.alignment, a power of two
  uint64_t data_offset = 0;  ///< start of the tensor data section (header end, aligned up)
  uint64_t file_size = 0;    ///< bytes in the whole file
  std::vector<std::pair<std::string, GgufValue>> metadata;  ///< in file order
  std::vector<TensorInfo> tensors;  ///< in file order, classified (role and layer set)

  /// The value stored under `key`, or nullptr.
  const GgufValue* find(std::string_view key) const {
    for (const auto& [k, v] : metadata)
      if (k == key) return &v;
    return nullptr;
  }
  /// `key` as an unsigned integer; nullopt when missing, negative or not an integer.
  std::optional<uint64_t> get_u64(std::string_view key) const {
    const GgufValue* v = find(key);
    return v != nullptr ? v->as_u64() : std::nullopt;
  }
  /// `key` as a number; nullopt when missing or not numeric.
  std::optional<double> get_f64(std::string_view key) const {
    const GgufValue* v = find(key);
    return v != nullptr ? v->as_f64() : std::nullopt;
  }
  /// `key` as a string; nullopt when missing or not a string.
  std::optional<std::string> get_str(std::string_view key) const {
    const GgufValue* v = find(key);
    if (v == nullptr || v->as_string() == nullptr) return std::nullopt;
    return *v->as_string();
  }
  /// Sum of the tensors' data bytes.
  uint64_t tensor_bytes() const {
    uint64_t sum = 0;
    for (const auto& t : tensors) sum += t.bytes();
    return sum;
  }
};

/// Limits that keep a hostile header from exhausting memory or time.
inline constexpr uint64_t kGgufMaxHeaderBytes = 512ull << 20;  ///< header, incl. tokenizer
inline constexpr uint64_t kGgufMaxStringBytes = 64ull << 20;   ///< one string value
inline constexpr uint64_t kGgufMaxNameBytes = 4096;            ///< a key or tensor name
inline constexpr uint64_t kGgufMaxTensors = 1ull << 20;
inline constexpr uint64_t kGgufMaxKeys = 1ull << 20;
inline constexpr uint64_t kGgufMaxArrays = 1ull << 16;  ///< arrays in a file, nested included
inline constexpr int kGgufMaxArrayDepth = 4;            ///< an array of arrays has depth 2

/// Parses a GGUF header from `bytes`, the first bytes of a file of `file_size` bytes
/// (`bytes.size() <= file_size`; pass `bytes.size()` for a whole file in memory). `where`
/// names the file in errors: "where: offset 1234: tensor 'x': what".
/// When the header continues past the end of `bytes` but not past the file's end, the parse
/// fails with "header continues past the first N bytes" and, when `need_bytes` is not null,
/// sets `*need_bytes` to a prefix length that gets further; otherwise `*need_bytes` is 0.
/// Never reads tensor data; checks every tensor's data range against `file_size`.
Result<GgufFile> parse_gguf(std::span<const uint8_t> bytes, uint64_t file_size,
                            const std::string& where, uint64_t* need_bytes = nullptr);

/// Reads the header of the GGUF file at `path`, reading only as many bytes as the header
/// needs (a 60 GB file answers in milliseconds). Errors name the path.
Result<GgufFile> read_gguf(const std::string& path);

/// A model loaded from one GGUF file or all splits of a split model.
struct GgufModel {
  ModelArch arch;
  std::vector<TensorInfo> tensors;    ///< all splits, in split order
  std::optional<FileType> file_type;  ///< general.file_type, when present and known
  uint64_t file_bytes = 0;            ///< size of all files together
  uint64_t tensor_bytes = 0;          ///< data bytes of all tensors
  std::string name;                   ///< general.name, or the file name without ".gguf"
  int split_count = 1;
};

/// Loads a model: one GGUF file, or every split when the name is "NAME-0000K-of-0000N.gguf"
/// (all splits must sit in the same directory and agree on split.count and split.no).
Result<GgufModel> load_gguf_model(const std::string& path);

/// Architectures arch_from_gguf understands (GGUF general.architecture values), sorted.
const std::vector<std::string>& gguf_supported_architectures();

/// Builds the architecture from GGUF metadata (`general.architecture` and the keys under its
/// prefix) and the tensor list (tied embeddings, biases, shared experts). An unknown
/// architecture or a missing or ill-typed required key is an error naming the key.
Result<ModelArch> arch_from_gguf(const GgufFile& file, const std::string& where);

}  // namespace worthit
