// SPDX-License-Identifier: MIT
// GGML tensor types (block size, bytes per block) and llama.cpp file types (recipes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace worthit {

/// GGML tensor types with their numeric ids as stored in GGUF (ggml.h `enum ggml_type`).
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
};

/// Static facts about one GGML type.
struct GgmlTypeInfo {
  GgmlType type;
  const char* name;        ///< "Q4_K", as ggml prints it
  int block_elems;         ///< elements per block
  int block_bytes;         ///< bytes per block
  double bits_per_weight() const { return 8.0 * block_bytes / block_elems; }
};

/// All known types, in id order.
const std::vector<GgmlTypeInfo>& ggml_types();
/// Info for a type id read from a file; nullopt when the id is unknown or removed.
std::optional<GgmlTypeInfo> ggml_type_info(uint32_t id);
/// Info for a known enum value.
const GgmlTypeInfo& ggml_type_info(GgmlType t);
/// Case-insensitive lookup by name ("q8_0", "Q4_K", "mxfp4").
Result<GgmlType> parse_ggml_type(std::string_view name);
/// Bytes for `n_elems` elements (n_elems must be a multiple of the block size; otherwise the
/// partial block is rounded up, as a conservative estimate).
uint64_t ggml_row_bytes(GgmlType t, uint64_t n_elems);

/// llama.cpp file types (`llama_ftype`): the quantization recipe of a whole model file.
/// Numeric values follow llama.h so that `general.file_type` maps directly.
enum class FileType : uint32_t {
  ALL_F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q8_0 = 7,
  Q5_0 = 8,
  Q5_1 = 9,
  Q2_K = 10,
  Q3_K_S = 11,
  Q3_K_M = 12,
  Q3_K_L = 13,
  Q4_K_S = 14,
  Q4_K_M = 15,
  Q5_K_S = 16,
  Q5_K_M = 17,
  Q6_K = 18,
  IQ2_XXS = 19,
  IQ2_XS = 20,
  Q2_K_S = 21,
  IQ3_XS = 22,
  IQ3_XXS = 23,
  IQ1_S = 24,
  IQ4_NL = 25,
  IQ3_S = 26,
  IQ3_M = 27,
  IQ2_S = 28,
  IQ2_M = 29,
  IQ4_XS = 30,
  IQ1_M = 31,
  BF16 = 32,
  TQ1_0 = 36,
  TQ2_0 = 37,
  MXFP4_MOE = 38,
};

/// "Q4_K_M", "MXFP4_MOE", ...
const char* file_type_name(FileType f);
/// Case-insensitive: "q4_k_m", "Q4_K_M", "mxfp4", "f16", "bf16".
Result<FileType> parse_file_type(std::string_view name);
/// All recipes worthit can derive.
const std::vector<FileType>& file_types();
/// Name of a file type id from GGUF `general.file_type`, or nullopt.
std::optional<FileType> file_type_from_id(uint32_t id);

}  // namespace worthit
