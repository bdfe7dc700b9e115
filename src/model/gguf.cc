// SPDX-License-Identifier: MIT
// GGUF header parser. Layout (ggml docs/gguf.md): magic "GGUF", u32 version, u64 tensor count,
// u64 key count, key/value pairs, tensor infos, padding to `general.alignment`, tensor data.
// Every count, length and offset is checked against the bytes the file can hold before use.
#include "model/gguf.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <unordered_set>

namespace worthit {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint64_t kInitialRead = 1ull << 20;
constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;  // key length, 1-byte key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;

/// Little-endian unsigned integer of `width` bytes (independent of the host's byte order).
uint64_t load_le(const uint8_t* p, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// Sign-extends the low `width` bytes of `v`.
int64_t sign_extend(uint64_t v, int width) {
  if (width == 8) return static_cast<int64_t>(v);
  const uint64_t sign = 1ull << (width * 8 - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

/// A name from the file, printable: other bytes as \xNN, long names cut.
std::string printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 96; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (s.size() > 96) out += "...";
  return out;
}

bool is_integer(GgufType t) {
  const auto id = static_cast<uint32_t>(t);
  return id <= 5 || id == 10 || id == 11;  // u8..i32, u64, i64
}

bool is_signed(GgufType t) {
  return t == GgufType::I8 || t == GgufType::I16 || t == GgufType::I32 || t == GgufType::I64;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// Appends bytes from the file until `buf` holds `want` bytes; false on a short read.
bool read_to(std::FILE* f, std::vector<uint8_t>& buf, uint64_t want) {
  const size_t have = buf.size();
  buf.resize(want);
  return std::fread(buf.data() + have, 1, want - have, f) == want - have;
}

/// Where a tensor info sits and how many data bytes it describes.
struct TensorSpan {
  uint64_t info_offset = 0;
  uint64_t bytes = 0;
};

/// Reads a GGUF header from a prefix of a file. Each read checks the file's end first, then
/// the header size cap, then the prefix (asking for more bytes); it fails rather than throws.
class Parser {
 public:
  Parser(std::span<const uint8_t> bytes, uint64_t file_size, const std::string& where)
      : bytes_(bytes), file_size_(std::max<uint64_t>(file_size, bytes.size())), where_(where) {}

  Result<GgufFile> run(uint64_t* need_bytes);

 private:
  bool header();
  bool key_values(uint64_t n);
  bool value(uint32_t type, uint64_t type_offset, int depth, GgufValue& out);
  template <class T>
  bool scalar(GgufValue& out);
  bool array(int depth, GgufArray& out);
  bool array_elements(GgufArray& out, int depth);
  bool check_alignment(const GgufValue& v, uint64_t at);
  bool tensor_infos(uint64_t n);
  bool tensor_info(TensorInfo& t, TensorSpan& s);
  bool tensor_shape(TensorInfo& t, uint32_t& type_id, uint64_t& type_at);
  bool tensor_ranges();

  bool need(uint64_t n);
  template <class T>
  bool read(T& out);
  bool read_string(std::string& out, uint64_t max_len);
  bool read_count(uint64_t& out, uint64_t limit, uint64_t min_bytes, const char* what);
  bool fail_at(uint64_t at, std::string what, std::string hint = {});

  std::span<const uint8_t> bytes_;
  uint64_t file_size_;
  const std::string& where_;
  uint64_t pos_ = 0;
  std::string context_;  // "metadata 'k'", "tensor 'x'": the field path in errors
  uint64_t need_ = 0;    // > 0: stopped because the prefix ran out
  uint64_t n_arrays_ = 0;
  std::optional<Error> error_;
  GgufFile file_;
  std::vector<TensorSpan> spans_;
};

bool Parser::fail_at(uint64_t at, std::string what, std::string hint) {
  std::string where = fmt::format("{}: offset {}", where_, at);
  if (!context_.empty()) where += ": " + context_;
  error_ = Error{std::move(where), std::move(what), std::move(hint)};
  return false;
}

bool Parser::need(uint64_t n) {
  if (n > file_size_ - pos_) {
    return fail_at(
        pos_, fmt::format("unexpected end of file: needs {} bytes, {} left", n, file_size_ - pos_));
  }
  if (pos_ + n > kGgufMaxHeaderBytes) {
    return fail_at(pos_, fmt::format("header exceeds {} MiB", kGgufMaxHeaderBytes >> 20));
  }
  if (pos_ + n > bytes_.size()) {
    need_ = pos_ + n;
    return fail_at(pos_, fmt::format("header continues past the first {} bytes", bytes_.size()));
  }
  return true;
}

template <class T>
bool Parser::read(T& out) {
  if (!need(sizeof(T))) return false;
  uint64_t v = load_le(bytes_.data() + pos_, sizeof(T));
  pos_ += sizeof(T);
  if constexpr (std::is_same_v<T, float>) {
    out = std::bit_cast<float>(static_cast<uint32_t>(v));
  } else if constexpr (std::is_same_v<T, double>) {
    out = std::bit_cast<double>(v);
  } else if constexpr (std::is_signed_v<T>) {
    out = static_cast<T>(sign_extend(v, sizeof(T)));
  } else {
    out = static_cast<T>(v);
  }
  return true;
}

bool Parser::read_string(std::string& out, uint64_t max_len) {
  const uint64_t at = pos_;
  uint64_t len = 0;
  if (!read(len)) return false;
  if (len > max_len) {
    return fail_at(at, fmt::format("string length {} exceeds the limit of {} bytes", len, max_len));
  }
  if (const uint64_t left = file_size_ - pos_; len > left) {
    return fail_at(at,
                   fmt::format("string length {} runs past the end ({} bytes left)", len, left));
  }
  if (!need(len)) return false;
  out.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
  pos_ += len;
  return true;
}

bool Parser::read_count(uint64_t& out, uint64_t limit, uint64_t min_bytes, const char* what) {
  const uint64_t at = pos_;
  if (!read(out)) return false;
  if (out > limit) {
    return fail_at(at, fmt::format("{} count {} exceeds the limit of {}", what, out, limit));
  }
  // Every entry takes at least min_bytes: a count the file cannot hold is rejected before
  // anything is allocated for it.
  const uint64_t left = file_size_ - pos_;
  if (out > left / min_bytes) {
    return fail_at(at, fmt::format("{} count {} needs at least {} bytes, {} left", what, out,
                                   out * min_bytes, left));
  }
  return true;
}

bool Parser::header() {
  uint32_t magic = 0;
  if (!read(magic)) return false;
  if (magic != kMagic) {
    std::string got(reinterpret_cast<const char*>(bytes_.data()), 4);
    return fail_at(0, fmt::format("not a GGUF file (magic '{}', expected 'GGUF')", printable(got)));
  }
  if (!read(file_.version)) return false;
  const uint32_t v = file_.version;
  if (v != 2 && v != 3) {
    const uint32_t swapped = __builtin_bswap32(v);
    std::string hint = swapped == 2 || swapped == 3 ? "this is a big-endian file" : "";
    return fail_at(4, fmt::format("unsupported GGUF version {} (supported: 2, 3)", v),
                   std::move(hint));
  }
  uint64_t n_tensors = 0;
  uint64_t n_kv = 0;
  return read_count(n_tensors, kGgufMaxTensors, kMinTensorInfoBytes, "tensor") &&
         read_count(n_kv, kGgufMaxKeys, kMinKvBytes, "metadata") && key_values(n_kv) &&
         tensor_infos(n_tensors);
}

bool Parser::key_values(uint64_t n) {
  std::unordered_set<std::string> seen;
  for (uint64_t i = 0; i < n; ++i) {
    context_ = fmt::format("metadata #{} key", i);
    const uint64_t key_at = pos_;
    std::string key;
    if (!read_string(key, kGgufMaxNameBytes)) return false;
    if (key.empty()) return fail_at(key_at, "empty key");
    context_ = fmt::format("metadata '{}'", printable(key));
    if (!seen.insert(key).second) return fail_at(key_at, "duplicate key");
    const uint64_t type_at = pos_;
    uint32_t type = 0;
    GgufValue v;
    if (!read(type) || !value(type, type_at, 0, v)) return false;
    if (key == "general.alignment" && !check_alignment(v, type_at)) return false;
    file_.metadata.emplace_back(std::move(key), std::move(v));
  }
  return true;
}

bool Parser::check_alignment(const GgufValue& v, uint64_t at) {
  if (v.type() != GgufType::U32) {
    return fail_at(at, fmt::format("alignment must be a uint32, got {}",
                                   gguf_type_name(static_cast<uint32_t>(v.type()))));
  }
  const uint32_t a = std::get<uint32_t>(v.v);
  if (a == 0 || (a & (a - 1)) != 0) {
    return fail_at(at, fmt::format("alignment {} is not a power of two", a));
  }
  file_.alignment = a;
  return true;
}

bool Parser::value(uint32_t type, uint64_t type_offset, int depth, GgufValue& out) {
  // Fixed-size types by id; String (8) and Array (9) are read below.
  using Reader = bool (Parser::*)(GgufValue&);
  static constexpr Reader kScalar[] = {&Parser::scalar<uint8_t>,
                                       &Parser::scalar<int8_t>,
                                       &Parser::scalar<uint16_t>,
                                       &Parser::scalar<int16_t>,
                                       &Parser::scalar<uint32_t>,
                                       &Parser::scalar<int32_t>,
                                       &Parser::scalar<float>,
                                       &Parser::scalar<bool>,
                                       nullptr,
                                       nullptr,
                                       &Parser::scalar<uint64_t>,
                                       &Parser::scalar<int64_t>,
                                       &Parser::scalar<double>};
  if (type < std::size(kScalar) && kScalar[type] != nullptr) return (this->*kScalar[type])(out);
  if (type == static_cast<uint32_t>(GgufType::String)) {
    std::string s;
    if (!read_string(s, kGgufMaxStringBytes)) return false;
    out.v = std::move(s);
    return true;
  }
  if (type == static_cast<uint32_t>(GgufType::Array)) {
    GgufArray a;
    if (!array(depth + 1, a)) return false;
    out.v = std::move(a);
    return true;
  }
  return fail_at(type_offset, fmt::format("unknown value type {}", type));
}

template <class T>
bool Parser::scalar(GgufValue& out) {
  // bool is stored as one byte; any non-zero byte reads as true.
  using Stored = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;
  Stored x{};
  if (!read(x)) return false;
  out.v = static_cast<T>(x);
  return true;
}

bool Parser::array(int depth, GgufArray& out) {
  const uint64_t at = pos_;
  if (depth > kGgufMaxArrayDepth) {
    return fail_at(at, fmt::format("arrays nested deeper than {} levels", kGgufMaxArrayDepth));
  }
  if (++n_arrays_ > kGgufMaxArrays) {
    return fail_at(at, fmt::format("more than {} arrays", kGgufMaxArrays));
  }
  uint32_t type = 0;
  if (!read(type)) return false;
  if (type > static_cast<uint32_t>(GgufType::F64)) {
    return fail_at(at, fmt::format("unknown array element type {}", type));
  }
  out.type = static_cast<GgufType>(type);
  const int width = gguf_type_width(out.type);
  const uint64_t min_bytes = width > 0 ? width : out.type == GgufType::String ? 8 : 12;
  const uint64_t count_at = pos_;
  if (!read(out.size)) return false;
  const uint64_t left = file_size_ - pos_;
  if (out.size > left / min_bytes) {
    // The product may not fit in 64 bits; print it in floating point.
    return fail_at(count_at, fmt::format("array of {} {} needs at least {:.0f} bytes, {} left",
                                         out.size, gguf_type_name(type),
                                         static_cast<double>(out.size) * min_bytes, left));
  }
  return array_elements(out, depth);
}

bool Parser::array_elements(GgufArray& out, int depth) {
  const int width = gguf_type_width(out.type);
  if (width > 0) {
    const uint64_t n = out.size * static_cast<uint64_t>(width);  // <= bytes left: no overflow
    if (!need(n)) return false;
    out.scalars.assign(bytes_.data() + pos_, bytes_.data() + pos_ + n);
    pos_ += n;
    return true;
  }
  for (uint64_t i = 0; i < out.size; ++i) {
    if (out.type == GgufType::String) {
      std::string s;
      if (!read_string(s, kGgufMaxStringBytes)) return false;
      out.chars += s;
      out.ends.push_back(out.chars.size());
    } else {
      out.arrays.emplace_back();
      if (!array(depth + 1, out.arrays.back())) return false;
    }
  }
  return true;
}

bool Parser::tensor_infos(uint64_t n) {
  std::unordered_set<std::string> seen;
  for (uint64_t i = 0; i < n; ++i) {
    TensorInfo t;
    TensorSpan s;
    context_ = fmt::format("tensor #{}", i);
    if (!tensor_info(t, s)) return false;
    if (!seen.insert(t.name).second) {
      context_ = fmt::format("tensor '{}'", printable(t.name));
      return fail_at(s.info_offset, "duplicate tensor name");
    }
    classify_tensor(t);
    file_.tensors.push_back(std::move(t));
    spans_.push_back(s);
  }
  return true;
}

bool Parser::tensor_info(TensorInfo& t, TensorSpan& s) {
  s.info_offset = pos_;
  if (!read_string(t.name, kGgufMaxNameBytes)) return false;
  if (t.name.empty()) return fail_at(s.info_offset, "empty tensor name");
  context_ = fmt::format("tensor '{}'", printable(t.name));
  uint32_t type_id = 0;
  uint64_t type_at = 0;
  if (!tensor_shape(t, type_id, type_at)) return false;
  const std::optional<GgmlTypeInfo> info = ggml_type_info(type_id);
  if (!info) return fail_at(type_at, fmt::format("unknown tensor type id {}", type_id));
  t.type = info->type;
  const auto block = static_cast<uint64_t>(info->block_elems);
  if (t.ne[0] % block != 0) {
    return fail_at(type_at, fmt::format("row length {} is not a multiple of the {} block size {}",
                                        t.ne[0], info->name, block));
  }
  // elements() <= INT64_MAX (checked in tensor_shape), so this cannot overflow.
  s.bytes = t.elements() / block * static_cast<uint64_t>(info->block_bytes);
  const uint64_t offset_at = pos_;
  if (!read(t.offset)) return false;
  if (t.offset % file_.alignment != 0) {
    return fail_at(offset_at, fmt::format("data offset {} is not a multiple of the alignment {}",
                                          t.offset, file_.alignment));
  }
  return true;
}

bool Parser::tensor_shape(TensorInfo& t, uint32_t& type_id, uint64_t& type_at) {
  const uint64_t dims_at = pos_;
  uint32_t n_dims = 0;
  if (!read(n_dims)) return false;
  if (n_dims == 0 || n_dims > 4) {
    return fail_at(dims_at, fmt::format("n_dims {} is out of range (1..4)", n_dims));
  }
  constexpr uint64_t kMaxElems = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t elems = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    const uint64_t at = pos_;
    if (!read(t.ne[d])) return false;
    if (t.ne[d] == 0) return fail_at(at, fmt::format("dimension {} is 0", d));
    if (t.ne[d] > kMaxElems / elems) {
      return fail_at(at, fmt::format("dimension {} ({}) overflows 2^63 elements", d, t.ne[d]));
    }
    elems *= t.ne[d];
  }
  type_at = pos_;
  return read(type_id);
}

bool Parser::tensor_ranges() {
  context_.clear();
  for (size_t i = 0; i < file_.tensors.size(); ++i) {
    const TensorInfo& t = file_.tensors[i];
    const TensorSpan& s = spans_[i];
    // data_offset <= 512 MiB + alignment and bytes < 2^63 * 292: compare without overflow.
    const uint64_t room = file_size_ > file_.data_offset ? file_size_ - file_.data_offset : 0;
    if (t.offset > room || s.bytes > room - t.offset) {
      context_ = fmt::format("tensor '{}'", printable(t.name));
      return fail_at(s.info_offset,
                     fmt::format("data (section at {} + offset {} + {} bytes) runs past the "
                                 "end of the file ({} bytes)",
                                 file_.data_offset, t.offset, s.bytes, file_size_),
                     "the file may be truncated, e.g. by an incomplete download");
    }
  }
  return true;
}

Result<GgufFile> Parser::run(uint64_t* need_bytes) {
  file_.path = where_;
  file_.file_size = file_size_;
  const bool ok = header();
  if (need_bytes != nullptr) *need_bytes = ok ? 0 : need_;
  if (!ok) return fail(*error_);
  file_.data_offset = (pos_ + file_.alignment - 1) / file_.alignment * file_.alignment;
  if (!tensor_ranges()) return fail(*error_);
  return std::move(file_);
}

}  // namespace

std::string gguf_type_name(uint32_t id) {
  static const char* const kNames[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                       "int32",  "float32", "bool",   "string", "array",
                                       "uint64", "int64",   "float64"};
  if (id < std::size(kNames)) return kNames[id];
  return fmt::format("type {}", id);
}

std::optional<uint64_t> GgufArray::u64_at(uint64_t i) const {
  const int w = gguf_type_width(type);
  if (!is_integer(type) || i >= size || (i + 1) * w > scalars.size()) return std::nullopt;
  const uint64_t raw = load_le(scalars.data() + i * w, w);
  if (is_signed(type) && sign_extend(raw, w) < 0) return std::nullopt;
  return raw;
}

std::optional<double> GgufArray::f64_at(uint64_t i) const {
  const int w = gguf_type_width(type);
  if (w == 0 || i >= size || (i + 1) * w > scalars.size()) return std::nullopt;
  const uint64_t raw = load_le(scalars.data() + i * w, w);
  if (type == GgufType::F32) return std::bit_cast<float>(static_cast<uint32_t>(raw));
  if (type == GgufType::F64) return std::bit_cast<double>(raw);
  if (type == GgufType::Bool) return raw != 0 ? 1.0 : 0.0;
  if (is_signed(type)) return static_cast<double>(sign_extend(raw, w));
  return static_cast<double>(raw);
}

Result<GgufFile> parse_gguf(std::span<const uint8_t> bytes, uint64_t file_size,
                            const std::string& where, uint64_t* need_bytes) {
  return Parser(bytes, file_size, where).run(need_bytes);
}

Result<GgufFile> read_gguf(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return fail(path, "cannot open: no such file");
  if (!fs::is_regular_file(st)) return fail(path, "not a regular file");
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return fail(path, "cannot read the file size: " + ec.message());
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> buf;
  uint64_t want = std::min(size, kInitialRead);
  while (true) {
    if (!read_to(f.get(), buf, want)) {
      return fail(path, std::string("read error: ") +
                            (std::ferror(f.get()) ? std::strerror(errno) : "the file shrank"));
    }
    uint64_t need = 0;
    Result<GgufFile> r = parse_gguf(buf, size, path, &need);
    if (r || need == 0 || need <= buf.size()) return r;
    // Grow geometrically so a multi-megabyte tokenizer costs a few passes, not thousands.
    want = std::min({size, kGgufMaxHeaderBytes, std::max<uint64_t>(need, 2 * buf.size())});
  }
}

}  // namespace worthit
