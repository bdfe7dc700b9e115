// SPDX-License-Identifier: MIT
// GGML tensor types and llama.cpp file types against ggml-common.h / ggml.h / llama.h facts
// (facts.md Part D1; struct sizes are static_asserted in ggml-common.h).
#include "model/quant.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace worthit {
namespace {

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

struct TypeFact {
  GgmlType type;
  uint32_t id;       ///< ggml.h enum ggml_type value
  const char* name;  ///< as ggml prints it
  int block_elems;
  int block_bytes;
  double bpw;
};

// From ggml-common.h: block_q4_0 = {ggml_half d; uint8_t qs[QK4_0/2];} etc.
const std::vector<TypeFact>& type_facts() {
  static const std::vector<TypeFact> t = {
      {GgmlType::F32, 0, "F32", 1, 4, 32.0},
      {GgmlType::F16, 1, "F16", 1, 2, 16.0},
      {GgmlType::Q4_0, 2, "Q4_0", 32, 18, 4.5},        // d + 16 nibble bytes
      {GgmlType::Q4_1, 3, "Q4_1", 32, 20, 5.0},        // d, m + 16
      {GgmlType::Q5_0, 6, "Q5_0", 32, 22, 5.5},        // d + qh[4] + 16
      {GgmlType::Q5_1, 7, "Q5_1", 32, 24, 6.0},        // d, m + qh[4] + 16
      {GgmlType::Q8_0, 8, "Q8_0", 32, 34, 8.5},        // d + 32 int8
      {GgmlType::Q8_1, 9, "Q8_1", 32, 36, 9.0},        // d, s + 32 int8
      {GgmlType::Q2_K, 10, "Q2_K", 256, 84, 2.625},    // scales[16] + qs[64] + d, dmin
      {GgmlType::Q3_K, 11, "Q3_K", 256, 110, 3.4375},  // hmask[32] + qs[64] + scales[12] + d
      {GgmlType::Q4_K, 12, "Q4_K", 256, 144, 4.5},     // d, dmin + scales[12] + qs[128]
      {GgmlType::Q5_K, 13, "Q5_K", 256, 176, 5.5},     // + qh[32]
      {GgmlType::Q6_K, 14, "Q6_K", 256, 210, 6.5625},  // ql[128] + qh[64] + scales[16] + d
      {GgmlType::Q8_K, 15, "Q8_K", 256, 292, 9.125},   // float d + qs[256] + bsums[16]
      {GgmlType::IQ2_XXS, 16, "IQ2_XXS", 256, 66, 2.0625},
      {GgmlType::IQ2_XS, 17, "IQ2_XS", 256, 74, 2.3125},
      {GgmlType::IQ3_XXS, 18, "IQ3_XXS", 256, 98, 3.0625},
      {GgmlType::IQ1_S, 19, "IQ1_S", 256, 50, 1.5625},
      {GgmlType::IQ4_NL, 20, "IQ4_NL", 32, 18, 4.5},
      {GgmlType::IQ3_S, 21, "IQ3_S", 256, 110, 3.4375},
      {GgmlType::IQ2_S, 22, "IQ2_S", 256, 82, 2.5625},
      {GgmlType::IQ4_XS, 23, "IQ4_XS", 256, 136, 4.25},
      {GgmlType::I8, 24, "I8", 1, 1, 8.0},
      {GgmlType::I16, 25, "I16", 1, 2, 16.0},
      {GgmlType::I32, 26, "I32", 1, 4, 32.0},
      {GgmlType::I64, 27, "I64", 1, 8, 64.0},
      {GgmlType::F64, 28, "F64", 1, 8, 64.0},
      {GgmlType::IQ1_M, 29, "IQ1_M", 256, 56, 1.75},
      {GgmlType::BF16, 30, "BF16", 1, 2, 16.0},
      {GgmlType::TQ1_0, 34, "TQ1_0", 256, 54, 1.6875},  // qs[48] + qh[4] + d
      {GgmlType::TQ2_0, 35, "TQ2_0", 256, 66, 2.0625},  // qs[64] + d
      {GgmlType::MXFP4, 39, "MXFP4", 32, 17, 4.25},     // e8m0 scale + 16 bytes of e2m1
  };
  return t;
}

TEST(GgmlTypes, EveryTypeMatchesGgmlCommon) {
  ASSERT_EQ(ggml_types().size(), type_facts().size());
  for (const auto& f : type_facts()) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(static_cast<uint32_t>(f.type), f.id);
    const GgmlTypeInfo& i = ggml_type_info(f.type);
    EXPECT_EQ(i.type, f.type);
    EXPECT_STREQ(i.name, f.name);
    EXPECT_EQ(i.block_elems, f.block_elems);
    EXPECT_EQ(i.block_bytes, f.block_bytes);
    EXPECT_DOUBLE_EQ(i.bits_per_weight(), f.bpw);
    auto by_id = ggml_type_info(f.id);
    ASSERT_TRUE(by_id.has_value());
    EXPECT_EQ(by_id->type, f.type);
  }
}

TEST(GgmlTypes, HeadlineBitsPerWeight) {
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::Q4_K).bits_per_weight(), 4.5);   // 144/256
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::Q6_K).bits_per_weight(), 6.5625);
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::Q8_0).bits_per_weight(), 8.5);
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::MXFP4).bits_per_weight(), 4.25);
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::IQ4_XS).bits_per_weight(), 4.25);
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::TQ1_0).bits_per_weight(), 1.6875);
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::TQ2_0).bits_per_weight(), 2.0625);
  // Q4_0 is 4.5 by construction, not the 4.0 some tools assume (facts.md D1 warning).
  EXPECT_DOUBLE_EQ(ggml_type_info(GgmlType::Q4_0).bits_per_weight(), 4.5);
}

TEST(GgmlTypes, TableIsInIdOrderWithoutDuplicates) {
  std::set<uint32_t> ids;
  uint32_t prev = 0;
  for (size_t k = 0; k < ggml_types().size(); ++k) {
    const uint32_t id = static_cast<uint32_t>(ggml_types()[k].type);
    if (k > 0) {
      EXPECT_GT(id, prev) << ggml_types()[k].name;
    }
    prev = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), ggml_types().size());
}

TEST(GgmlTypes, RemovedAndUnknownIdsAreNotTypes) {
  // 4, 5: Q4_2/Q4_3; 31..33: Q4_0_4_4/4_8/8_8; 36..38: IQ4_NL_4_4/4_8/8_8 (all removed).
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 1000u, 0xffffffffu}) {
    EXPECT_FALSE(ggml_type_info(id).has_value()) << id;
  }
}

TEST(GgmlTypes, RowBytes) {
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 4096), 16u * 144u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 4096), 16u * 210u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q8_0, 4096), 128u * 34u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::MXFP4, 2880), 90u * 17u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::F32, 2880), 2880u * 4u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::BF16, 7), 14u);
  // A partial block is rounded up (conservative).
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 2880), 12u * 144u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q8_0, 1), 34u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 0), 0u);
}

TEST(ParseGgmlType, NamesAnyCase) {
  for (const auto& f : type_facts()) {
    auto up = parse_ggml_type(f.name);
    ASSERT_TRUE(up) << err(up);
    EXPECT_EQ(*up, f.type);
    std::string lower(f.name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto lo = parse_ggml_type(lower);
    ASSERT_TRUE(lo) << err(lo);
    EXPECT_EQ(*lo, f.type);
  }
  auto mixed = parse_ggml_type("Q4_k");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(*mixed, GgmlType::Q4_K);
}

TEST(ParseGgmlType, Errors) {
  EXPECT_EQ(err(parse_ggml_type("q8")), "unknown tensor type 'q8' (did you mean 'q8_0'?)");
  EXPECT_EQ(err(parse_ggml_type("q4_k_m")), "unknown tensor type 'q4_k_m' (did you mean 'q4_k'?)");
  EXPECT_EQ(err(parse_ggml_type("nonsense")), "unknown tensor type 'nonsense'");
}

struct FileTypeFact {
  FileType type;
  uint32_t id;  ///< llama.h enum llama_ftype value
  const char* name;
};

const std::vector<FileTypeFact>& file_type_facts() {
  static const std::vector<FileTypeFact> t = {
      {FileType::ALL_F32, 0, "F32"},      {FileType::F16, 1, "F16"},
      {FileType::Q4_0, 2, "Q4_0"},        {FileType::Q4_1, 3, "Q4_1"},
      {FileType::Q8_0, 7, "Q8_0"},        {FileType::Q5_0, 8, "Q5_0"},
      {FileType::Q5_1, 9, "Q5_1"},        {FileType::Q2_K, 10, "Q2_K"},
      {FileType::Q3_K_S, 11, "Q3_K_S"},   {FileType::Q3_K_M, 12, "Q3_K_M"},
      {FileType::Q3_K_L, 13, "Q3_K_L"},   {FileType::Q4_K_S, 14, "Q4_K_S"},
      {FileType::Q4_K_M, 15, "Q4_K_M"},   {FileType::Q5_K_S, 16, "Q5_K_S"},
      {FileType::Q5_K_M, 17, "Q5_K_M"},   {FileType::Q6_K, 18, "Q6_K"},
      {FileType::IQ2_XXS, 19, "IQ2_XXS"}, {FileType::IQ2_XS, 20, "IQ2_XS"},
      {FileType::Q2_K_S, 21, "Q2_K_S"},   {FileType::IQ3_XS, 22, "IQ3_XS"},
      {FileType::IQ3_XXS, 23, "IQ3_XXS"}, {FileType::IQ1_S, 24, "IQ1_S"},
      {FileType::IQ4_NL, 25, "IQ4_NL"},   {FileType::IQ3_S, 26, "IQ3_S"},
      {FileType::IQ3_M, 27, "IQ3_M"},     {FileType::IQ2_S, 28, "IQ2_S"},
      {FileType::IQ2_M, 29, "IQ2_M"},     {FileType::IQ4_XS, 30, "IQ4_XS"},
      {FileType::IQ1_M, 31, "IQ1_M"},     {FileType::BF16, 32, "BF16"},
      {FileType::TQ1_0, 36, "TQ1_0"},     {FileType::TQ2_0, 37, "TQ2_0"},
      {FileType::MXFP4_MOE, 38, "MXFP4_MOE"},
  };
  return t;
}

TEST(FileTypes, IdsAndNamesFollowLlamaH) {
  EXPECT_EQ(file_types().size(), file_type_facts().size());
  for (const auto& f : file_type_facts()) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(static_cast<uint32_t>(f.type), f.id);
    EXPECT_STREQ(file_type_name(f.type), f.name);
    auto parsed = parse_file_type(f.name);
    ASSERT_TRUE(parsed) << err(parsed);
    EXPECT_EQ(*parsed, f.type);
    auto from_id = file_type_from_id(f.id);
    ASSERT_TRUE(from_id.has_value());
    EXPECT_EQ(*from_id, f.type);
  }
}

TEST(FileTypes, ParseIsCaseInsensitiveWithShorthands) {
  struct Case {
    const char* text;
    FileType want;
  };
  for (const Case& c : std::vector<Case>{{"q4_k_m", FileType::Q4_K_M},
                                         {"Q4_K_M", FileType::Q4_K_M},
                                         {"q4_K_s", FileType::Q4_K_S},
                                         {"mxfp4", FileType::MXFP4_MOE},
                                         {"MXFP4", FileType::MXFP4_MOE},
                                         {"mxfp4_moe", FileType::MXFP4_MOE},
                                         {"f16", FileType::F16},
                                         {"fp16", FileType::F16},
                                         {"bf16", FileType::BF16},
                                         {"f32", FileType::ALL_F32},
                                         {"q8_0", FileType::Q8_0},
                                         {"iq4_xs", FileType::IQ4_XS}}) {
    auto r = parse_file_type(c.text);
    ASSERT_TRUE(r) << c.text << ": " << err(r);
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

TEST(FileTypes, ParseErrors) {
  EXPECT_EQ(err(parse_file_type("Q4_K_X")),
            "--quant: unknown quantization 'Q4_K_X' (did you mean 'Q4_K_M'?)");
  EXPECT_EQ(err(parse_file_type("q5km")),
            "--quant: unknown quantization 'q5km' (did you mean 'Q5_K_M'?)");
  EXPECT_EQ(err(parse_file_type("nonsense")), "--quant: unknown quantization 'nonsense'");
}

TEST(FileTypes, TensorTypeNameSuggestsTheRecipeThatStartsWithIt) {
  // "Q4_K" is a tensor type, not a recipe; the recipe that contains it is the better hint
  // than the one-letter-off "Q6_K".
  EXPECT_EQ(err(parse_file_type("Q4_K")),
            "--quant: unknown quantization 'Q4_K' (did you mean 'Q4_K_M'?)");
}

TEST(FileTypes, GuessedBitIsIgnored) {
  // llama.cpp ORs LLAMA_FTYPE_GUESSED (1024) into general.file_type when it guessed.
  for (const auto& f : file_type_facts()) {
    auto g = file_type_from_id(f.id | 1024u);
    ASSERT_TRUE(g.has_value()) << f.name;
    EXPECT_EQ(*g, f.type);
  }
  EXPECT_EQ(file_type_from_id(1024u), FileType::ALL_F32);
  EXPECT_EQ(file_type_from_id(1039u), FileType::Q4_K_M);  // 15 | 1024
}

TEST(FileTypes, RemovedAndUnknownIds) {
  // 4: Q4_1_SOME_F16; 5, 6: Q4_2/Q4_3; 33..35: Q4_0_4_4/4_8/8_8 (removed from llama.h).
  for (uint32_t id : {4u, 5u, 6u, 33u, 34u, 35u, 39u, 100u, 2048u + 15u, 0xffffffffu}) {
    EXPECT_FALSE(file_type_from_id(id).has_value()) << id;
  }
}

}  // namespace
}  // namespace worthit
