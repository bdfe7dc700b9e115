// SPDX-License-Identifier: MIT
// Block layouts from ggml's ggml-common.h (struct sizes are static_asserted there); see
// ../shared/reference/facts.md Part D1 [S-LCPP-COMMON].
#include "model/quant.h"

#include <fmt/format.h>

#include "core/text.h"

namespace worthit {

const std::vector<GgmlTypeInfo>& ggml_types() {
  static const std::vector<GgmlTypeInfo> t = {
      {GgmlType::F32, "F32", 1, 4},         {GgmlType::F16, "F16", 1, 2},
      {GgmlType::Q4_0, "Q4_0", 32, 18},     {GgmlType::Q4_1, "Q4_1", 32, 20},
      {GgmlType::Q5_0, "Q5_0", 32, 22},     {GgmlType::Q5_1, "Q5_1", 32, 24},
      {GgmlType::Q8_0, "Q8_0", 32, 34},     {GgmlType::Q8_1, "Q8_1", 32, 36},
      {GgmlType::Q2_K, "Q2_K", 256, 84},    {GgmlType::Q3_K, "Q3_K", 256, 110},
      {GgmlType::Q4_K, "Q4_K", 256, 144},   {GgmlType::Q5_K, "Q5_K", 256, 176},
      {GgmlType::Q6_K, "Q6_K", 256, 210},   {GgmlType::Q8_K, "Q8_K", 256, 292},
      {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66}, {GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
      {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98}, {GgmlType::IQ1_S, "IQ1_S", 256, 50},
      {GgmlType::IQ4_NL, "IQ4_NL", 32, 18}, {GgmlType::IQ3_S, "IQ3_S", 256, 110},
      {GgmlType::IQ2_S, "IQ2_S", 256, 82},  {GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
      {GgmlType::I8, "I8", 1, 1},           {GgmlType::I16, "I16", 1, 2},
      {GgmlType::I32, "I32", 1, 4},         {GgmlType::I64, "I64", 1, 8},
      {GgmlType::F64, "F64", 1, 8},         {GgmlType::IQ1_M, "IQ1_M", 256, 56},
      {GgmlType::BF16, "BF16", 1, 2},       {GgmlType::TQ1_0, "TQ1_0", 256, 54},
      {GgmlType::TQ2_0, "TQ2_0", 256, 66},  {GgmlType::MXFP4, "MXFP4", 32, 17},
  };
  return t;
}

std::optional<GgmlTypeInfo> ggml_type_info(uint32_t id) {
  for (const auto& i : ggml_types())
    if (static_cast<uint32_t>(i.type) == id) return i;
  return std::nullopt;
}

const GgmlTypeInfo& ggml_type_info(GgmlType t) {
  // Indexed by id: this sits under every tensor-size computation of a fit or a sweep.
  static const std::vector<const GgmlTypeInfo*> by_id = [] {
    std::vector<const GgmlTypeInfo*> v;
    for (const auto& i : ggml_types()) {
      const auto id = static_cast<size_t>(i.type);
      if (v.size() <= id) v.resize(id + 1, nullptr);
      v[id] = &i;
    }
    return v;
  }();
  const auto id = static_cast<size_t>(t);
  if (id < by_id.size() && by_id[id]) return *by_id[id];
  return ggml_types().front();  // unreachable: every enum value is in the table
}

Result<GgmlType> parse_ggml_type(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& i : ggml_types()) {
    if (to_lower(i.name) == to_lower(name)) return i.type;
    names.push_back(to_lower(i.name));
  }
  return fail("", fmt::format("unknown tensor type '{}'", std::string(name)),
              did_you_mean(to_lower(name), names));
}

uint64_t ggml_row_bytes(GgmlType t, uint64_t n_elems) {
  // Block sizes by id, copied once from the table: fits and sweeps call this per tensor.
  struct Block {
    uint32_t elems = 1, bytes = 4;
  };
  static const std::vector<Block> blocks = [] {
    std::vector<Block> v;
    for (const auto& i : ggml_types()) {
      const auto id = static_cast<size_t>(i.type);
      if (v.size() <= id) v.resize(id + 1);
      v[id] = Block{static_cast<uint32_t>(i.block_elems), static_cast<uint32_t>(i.block_bytes)};
    }
    return v;
  }();
  const auto id = static_cast<size_t>(t);
  const Block b = id < blocks.size() ? blocks[id] : Block{};
  return (n_elems + b.elems - 1) / b.elems * b.bytes;
}

namespace {
struct FileTypeName {
  FileType type;
  const char* name;
};
const std::vector<FileTypeName>& file_type_names() {
  static const std::vector<FileTypeName> t = {
      {FileType::ALL_F32, "F32"},     {FileType::F16, "F16"},         {FileType::BF16, "BF16"},
      {FileType::Q8_0, "Q8_0"},       {FileType::Q6_K, "Q6_K"},       {FileType::Q5_K_M, "Q5_K_M"},
      {FileType::Q5_K_S, "Q5_K_S"},   {FileType::Q5_0, "Q5_0"},       {FileType::Q5_1, "Q5_1"},
      {FileType::Q4_K_M, "Q4_K_M"},   {FileType::Q4_K_S, "Q4_K_S"},   {FileType::Q4_0, "Q4_0"},
      {FileType::Q4_1, "Q4_1"},       {FileType::IQ4_XS, "IQ4_XS"},   {FileType::IQ4_NL, "IQ4_NL"},
      {FileType::Q3_K_L, "Q3_K_L"},   {FileType::Q3_K_M, "Q3_K_M"},   {FileType::Q3_K_S, "Q3_K_S"},
      {FileType::IQ3_M, "IQ3_M"},     {FileType::IQ3_S, "IQ3_S"},     {FileType::IQ3_XS, "IQ3_XS"},
      {FileType::IQ3_XXS, "IQ3_XXS"}, {FileType::Q2_K, "Q2_K"},       {FileType::Q2_K_S, "Q2_K_S"},
      {FileType::IQ2_M, "IQ2_M"},     {FileType::IQ2_S, "IQ2_S"},     {FileType::IQ2_XS, "IQ2_XS"},
      {FileType::IQ2_XXS, "IQ2_XXS"}, {FileType::IQ1_M, "IQ1_M"},     {FileType::IQ1_S, "IQ1_S"},
      {FileType::TQ1_0, "TQ1_0"},     {FileType::TQ2_0, "TQ2_0"},
      {FileType::MXFP4_MOE, "MXFP4_MOE"},
  };
  return t;
}
}  // namespace

const char* file_type_name(FileType f) {
  for (const auto& n : file_type_names())
    if (n.type == f) return n.name;
  return "?";
}

Result<FileType> parse_file_type(std::string_view name) {
  std::string want = to_lower(name);
  if (want == "mxfp4") want = "mxfp4_moe";
  if (want == "fp16") want = "f16";
  std::vector<std::string> names;
  for (const auto& n : file_type_names()) {
    if (to_lower(n.name) == want) return n.type;
    names.push_back(n.name);
  }
  return fail("--quant", fmt::format("unknown quantization '{}'", std::string(name)),
              did_you_mean(name, names));
}

const std::vector<FileType>& file_types() {
  static const std::vector<FileType> t = [] {
    std::vector<FileType> v;
    for (const auto& n : file_type_names()) v.push_back(n.type);
    return v;
  }();
  return t;
}

std::optional<FileType> file_type_from_id(uint32_t id) {
  // llama.cpp stores general.file_type with the "guessed" bit 1024 set for some files.
  id &= ~1024u;
  for (const auto& n : file_type_names())
    if (static_cast<uint32_t>(n.type) == id) return n.type;
  return std::nullopt;
}

}  // namespace worthit
