// SPDX-License-Identifier: MIT
// Tensor inventories derived from the catalog against real GGUF file sizes (facts.md C2), the
// per-tensor type rules of llama.cpp's llama_tensor_get_type(), and parameter counts.
#include "model/recipe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "model/model_catalog.h"

namespace worthit {
namespace {

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

/// The real catalog, loaded once.
const std::vector<ModelArch>& catalog() {
  static const std::vector<ModelArch> cat = [] {
    auto c = load_model_catalog(WORTHIT_DATA_DIR "/models");
    if (!c) ADD_FAILURE() << err(c);
    return c ? *c : std::vector<ModelArch>{};
  }();
  return cat;
}

ModelArch model(const std::string& id) {
  auto m = find_model(catalog(), id);
  if (!m) {
    ADD_FAILURE() << err(m);
    return ModelArch{};
  }
  return *m;
}

/// Tensors of a derived inventory by name.
std::map<std::string, TensorInfo> by_name(const std::vector<TensorInfo>& ts) {
  std::map<std::string, TensorInfo> out;
  for (const auto& t : ts) out[t.name] = t;
  return out;
}

/// Type name of tensor `name` in `ts`, or "<missing>".
std::string type_of(const std::map<std::string, TensorInfo>& ts, const std::string& name) {
  auto it = ts.find(name);
  return it == ts.end() ? "<missing>" : ggml_type_info(it->second.type).name;
}

std::string blk(int il, const char* what) { return "blk." + std::to_string(il) + "." + what; }

// ---- File sizes --------------------------------------------------------------------------

struct SizeCase {
  const char* model;
  FileType ftype;
  double bytes;  ///< real file size
  const char* source;
};

TEST(RecipeSize, MatchesRealFilesWithin3Percent) {
  const std::vector<SizeCase> cases = {
      {"llama-3-8b", FileType::Q4_K_M, 4.92e9, "bartowski Llama 3 8B Q4_K_M, 4.92 GB"},
      {"llama-3-70b", FileType::Q4_K_M, 42.5e9, "Llama 3 70B Q4_K_M, 42.5 GB"},
      {"llama-3.1-8b", FileType::Q4_K_M, 4.92e9, "S-BARTOWSKI-L31-8B, 4.92 GB"},
      {"llama-3.1-8b", FileType::Q8_0, 8.54e9, "S-BARTOWSKI-L31-8B, 8.54 GB"},
      {"llama-3.1-8b", FileType::F16, 14.96 * 1073741824.0, "S-LCPP-QREADME, 14.96 GiB"},
      {"llama-3.1-70b", FileType::Q4_K_M, 43.1e9, "S-LCPP-QREADME, 43.1 GB"},
      {"llama-3.1-405b", FileType::Q4_K_M, 249.1e9, "S-LCPP-QREADME, 249.1 GB"},
      {"gpt-oss-120b", FileType::MXFP4_MOE, 63.4e9, "gpt-oss-120b MXFP4_MOE GGUF, 63.4 GB"},
      {"gpt-oss-20b", FileType::MXFP4_MOE, 12.1e9, "S-MXFP4MOE-GGUF, 12.1 GB"},
      {"qwen3-30b-a3b", FileType::Q4_K_M, 18.56e9, "S-JP-GGUF-NOTE (unsloth), 18.56 GB"},
      {"qwen3-30b-a3b", FileType::Q6_K, 25.09e9, "S-JP-GGUF-NOTE (unsloth), 25.09 GB"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.model) + " " + file_type_name(c.ftype) + " vs " + c.source);
    const ModelArch m = model(c.model);
    const double got = double(total_bytes(derive_tensors(m, c.ftype)));
    EXPECT_NEAR(got / c.bytes, 1.0, 0.03) << "derived " << got / 1e9 << " GB";
  }
}

TEST(RecipeSize, F16IsTwoBytesPerWeightExceptF32Vectors) {
  const ModelArch m = model("llama-3.1-8b");
  const auto ts = derive_tensors(m, FileType::F16);
  for (const auto& t : ts) {
    EXPECT_EQ(t.type, t.ne[1] == 1 ? GgmlType::F32 : GgmlType::F16) << t.name;
  }
  // 16.0005 bpw on Llama 3.1 8B (facts.md D1): the F32 norms add a little.
  const double bpw = 8.0 * double(total_bytes(ts)) / double(total_params(ts));
  EXPECT_NEAR(bpw, 16.0005, 0.001);
}

TEST(RecipeSize, Q4KMBitsPerWeightOnLlama31_8B) {
  // llama.cpp's table: Q4_K_M 4.8944 bpw, Q8_0 8.5008 bpw on Llama 3.1 8B.
  const ModelArch m = model("llama-3.1-8b");
  auto bpw = [&](FileType f) {
    const auto ts = derive_tensors(m, f);
    return 8.0 * double(total_bytes(ts)) / double(total_params(ts));
  };
  EXPECT_NEAR(bpw(FileType::Q4_K_M), 4.8944, 0.05);
  EXPECT_NEAR(bpw(FileType::Q8_0), 8.5008, 0.01);
}

// ---- Type rules (llama_tensor_get_type) ------------------------------------------------

TEST(RecipeTypes, Q4KMOnLlama8B) {
  const ModelArch m = model("llama-3.1-8b");
  ASSERT_EQ(m.n_layers, 32);
  const auto ts = by_name(derive_tensors(m, FileType::Q4_K_M));
  EXPECT_EQ(type_of(ts, "output.weight"), "Q6_K");
  EXPECT_EQ(type_of(ts, "token_embd.weight"), "Q4_K");
  EXPECT_EQ(type_of(ts, "output_norm.weight"), "F32");
  // use_more_bits(i, n): i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2; n = 32, n/8 = 4.
  for (int il = 0; il < 32; ++il) {
    SCOPED_TRACE(il);
    const bool more = il < 4 || il >= 28 || (il - 4) % 3 == 2;
    EXPECT_EQ(type_of(ts, blk(il, "attn_v.weight")), more ? "Q6_K" : "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_down.weight")), more ? "Q6_K" : "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "attn_q.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "attn_k.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "attn_output.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_gate.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_up.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "attn_norm.weight")), "F32");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_norm.weight")), "F32");
  }
  // Named spot checks: the first n/8 layers, a middle layer with (i - n/8) % 3 != 2, and one
  // with (i - n/8) % 3 == 2.
  EXPECT_EQ(type_of(ts, blk(0, "attn_v.weight")), "Q6_K");
  EXPECT_EQ(type_of(ts, blk(3, "attn_v.weight")), "Q6_K");
  EXPECT_EQ(type_of(ts, blk(5, "attn_v.weight")), "Q4_K");
  EXPECT_EQ(type_of(ts, blk(6, "attn_v.weight")), "Q6_K");
  EXPECT_EQ(type_of(ts, blk(6, "ffn_down.weight")), "Q6_K");
  EXPECT_EQ(type_of(ts, blk(16, "ffn_down.weight")), "Q4_K");
  EXPECT_EQ(type_of(ts, blk(31, "ffn_down.weight")), "Q6_K");
}

TEST(RecipeTypes, Q8AndF16AreUniform) {
  const ModelArch m = model("llama-3.1-8b");
  for (const auto& t : derive_tensors(m, FileType::Q8_0)) {
    const bool vec = t.ne[1] == 1;
    EXPECT_EQ(ggml_type_info(t.type).name, std::string(vec ? "F32" : "Q8_0")) << t.name;
  }
}

TEST(RecipeTypes, Llama70BAttnVGetsQ5K) {
  const ModelArch m = model("llama-3-70b");
  ASSERT_EQ(m.arch, "llama");
  ASSERT_EQ(m.n_layers, 80);
  ASSERT_LT(m.n_kv_heads, m.n_heads);
  const auto ts = by_name(derive_tensors(m, FileType::Q4_K_M));
  // n = 80, n/8 = 10: layer 11 has (11 - 10) % 3 == 1, so Q4_K_M alone would give Q4_K.
  EXPECT_EQ(type_of(ts, blk(11, "attn_v.weight")), "Q5_K");
  EXPECT_EQ(type_of(ts, blk(40, "attn_v.weight")), "Q5_K");
  EXPECT_EQ(type_of(ts, blk(0, "attn_v.weight")), "Q6_K");   // first n/8: Q6_K stays
  EXPECT_EQ(type_of(ts, blk(12, "attn_v.weight")), "Q6_K");  // (12 - 10) % 3 == 2
  EXPECT_EQ(type_of(ts, blk(11, "attn_q.weight")), "Q4_K");  // only attn_v is bumped
  EXPECT_EQ(type_of(ts, blk(11, "attn_k.weight")), "Q4_K");
  EXPECT_EQ(type_of(ts, blk(11, "ffn_down.weight")), "Q4_K");

  // Not LLM_TYPE_70B: another arch with 80 layers, or an 80-layer MHA llama (65B).
  ModelArch other = m;
  other.arch = "qwen2";
  EXPECT_EQ(type_of(by_name(derive_tensors(other, FileType::Q4_K_M)), blk(11, "attn_v.weight")),
            "Q4_K");
  ModelArch mha = m;
  mha.n_kv_heads = mha.n_heads;
  EXPECT_EQ(type_of(by_name(derive_tensors(mha, FileType::Q4_K_M)), blk(11, "attn_v.weight")),
            "Q4_K");
  // Q3_K_M: attn_v Q4_K past the first two becomes Q5_K on the 70B.
  EXPECT_EQ(type_of(by_name(derive_tensors(m, FileType::Q3_K_M)), blk(40, "attn_v.weight")),
            "Q5_K");
}

TEST(RecipeTypes, EightExpertMoEKeepsAttnVAndKInQ8_0) {
  const ModelArch m = model("mixtral-8x7b");
  ASSERT_EQ(m.moe.experts, 8);
  const auto ts = by_name(derive_tensors(m, FileType::Q4_K_M));
  for (int il : {0, 5, 16, 31}) {
    SCOPED_TRACE(il);
    EXPECT_EQ(type_of(ts, blk(il, "attn_v.weight")), "Q8_0");
    EXPECT_EQ(type_of(ts, blk(il, "attn_k.weight")), "Q8_0");
    EXPECT_EQ(type_of(ts, blk(il, "attn_q.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "attn_output.weight")), "Q5_K");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_gate_exps.weight")), "Q4_K");
    EXPECT_EQ(type_of(ts, blk(il, "ffn_gate_inp.weight")), "F32");  // router
  }
  EXPECT_EQ(type_of(ts, "output.weight"), "Q6_K");
}

TEST(RecipeTypes, RowNotMultipleOf256FallsBack) {
  const ModelArch m = model("gpt-oss-120b");
  ASSERT_EQ(m.hidden, 2880);  // 2880 % 256 == 64, 2880 % 32 == 0
  const auto ts = by_name(derive_tensors(m, FileType::Q4_K_M));
  EXPECT_EQ(type_of(ts, blk(0, "attn_q.weight")), "Q5_0");  // Q4_K -> Q5_0
  EXPECT_EQ(type_of(ts, blk(0, "attn_k.weight")), "Q5_0");
  EXPECT_EQ(type_of(ts, "output.weight"), "Q8_0");          // nx % QK_K != 0 -> Q8_0
  EXPECT_EQ(type_of(ts, "token_embd.weight"), "Q5_0");      // Q4_K -> Q5_0
  EXPECT_EQ(type_of(ts, blk(5, "attn_output.weight")), "Q4_K");  // row 64 x 64 = 4096
  // gpt-oss ships its experts in MXFP4 and llama.cpp keeps them so whatever the recipe.
  EXPECT_EQ(type_of(ts, blk(0, "ffn_down_exps.weight")), "MXFP4");
  EXPECT_EQ(type_of(ts, blk(5, "ffn_up_exps.weight")), "MXFP4");
  // Every quantized row length is a whole number of blocks.
  for (const auto& [name, t] : ts)
    EXPECT_EQ(t.ne[0] % ggml_type_info(t.type).block_elems, 0u) << name;
}

TEST(RecipeTypes, ChooseTensorTypeFallbackDirectly) {
  ModelArch a = model("llama-3.1-8b");
  TensorInfo t;
  t.name = "blk.5.attn_q.weight";
  t.layer = 5;
  t.role = TensorRole::Attention;
  t.ne = {2880, 4096, 1, 1};
  EXPECT_EQ(choose_tensor_type(a, FileType::Q4_K_M, t, 0, 32), GgmlType::Q5_0);
  EXPECT_EQ(choose_tensor_type(a, FileType::Q5_K_M, t, 0, 32), GgmlType::Q5_1);
  EXPECT_EQ(choose_tensor_type(a, FileType::Q6_K, t, 0, 32), GgmlType::Q8_0);
  EXPECT_EQ(choose_tensor_type(a, FileType::IQ4_XS, t, 0, 32), GgmlType::IQ4_NL);
  t.ne = {100, 4096, 1, 1};  // not even a multiple of 32: F16
  EXPECT_EQ(choose_tensor_type(a, FileType::Q4_K_M, t, 0, 32), GgmlType::F16);
  t.ne = {4096, 4096, 1, 1};
  EXPECT_EQ(choose_tensor_type(a, FileType::Q4_K_M, t, 0, 32), GgmlType::Q4_K);
}

TEST(RecipeTypes, Mxfp4MoePutsExpertsInMxfp4AndTheRestInQ8_0) {
  for (const char* id : {"gpt-oss-20b", "gpt-oss-120b"}) {
    SCOPED_TRACE(id);
    const ModelArch m = model(id);
    const auto ts = derive_tensors(m, FileType::MXFP4_MOE);
    int experts = 0;
    for (const auto& t : ts) {
      const bool vec = t.ne[1] == 1 || t.name.ends_with(".bias") ||
                       t.name.find("ffn_gate_inp") != std::string::npos;
      if (t.role == TensorRole::FfnExperts && t.name.ends_with(".weight")) {
        EXPECT_EQ(t.type, GgmlType::MXFP4) << t.name;
        ++experts;
      } else if (vec || t.name.find("norm") != std::string::npos ||
                 t.name.find("sinks") != std::string::npos) {
        EXPECT_EQ(t.type, GgmlType::F32) << t.name;
      } else {
        EXPECT_EQ(t.type, GgmlType::Q8_0) << t.name;
      }
    }
    EXPECT_EQ(experts, 3 * m.n_layers);
    const auto named = by_name(ts);
    EXPECT_EQ(type_of(named, "token_embd.weight"), "Q8_0");
    EXPECT_EQ(type_of(named, "output.weight"), "Q8_0");
    EXPECT_EQ(type_of(named, blk(0, "attn_q.weight")), "Q8_0");
    EXPECT_EQ(type_of(named, blk(0, "ffn_down_exps.weight")), "MXFP4");
    EXPECT_EQ(type_of(named, blk(0, "ffn_gate_inp.weight")), "F32");
  }
}

TEST(RecipeTypes, TiedEmbeddingsQuantizeTokenEmbdLikeOutput) {
  for (const char* id : {"qwen3-0.6b", "gemma-3-4b", "gemma-3-27b"}) {
    SCOPED_TRACE(id);
    const ModelArch m = model(id);
    ASSERT_TRUE(m.tied_embeddings);
    const auto ts = by_name(derive_tensors(m, FileType::Q4_K_M));
    EXPECT_EQ(ts.count("output.weight"), 0u);
    EXPECT_EQ(type_of(ts, "token_embd.weight"), "Q6_K");
  }
  // Untied: token_embd keeps the recipe's base type.
  ASSERT_FALSE(model("llama-3.1-8b").tied_embeddings);
  EXPECT_EQ(type_of(by_name(derive_tensors(model("llama-3.1-8b"), FileType::Q4_K_M)),
                    "token_embd.weight"),
            "Q4_K");
}

TEST(RecipeTypes, NormsStayF32InEveryRecipe) {
  for (const char* id : {"llama-3.1-8b", "qwen3-30b-a3b", "gemma-3-27b", "deepseek-v3",
                         "qwen3-next-80b-a3b", "phi-2", "gpt-oss-20b"}) {
    const ModelArch m = model(id);
    for (FileType f : {FileType::Q4_K_M, FileType::Q8_0, FileType::F16, FileType::IQ2_XXS,
                       FileType::MXFP4_MOE}) {
      int norms = 0;
      for (const auto& t : derive_tensors(m, f)) {
        if (t.name.find("norm") == std::string::npos) continue;
        ++norms;
        EXPECT_EQ(t.type, GgmlType::F32) << id << " " << file_type_name(f) << " " << t.name;
      }
      EXPECT_GT(norms, m.n_layers) << id;
    }
  }
}

TEST(RecipeTypes, EveryRecipeOnEveryModelGivesWholeBlocks) {
  for (const auto& m : catalog()) {
    for (FileType f : file_types()) {
      for (const auto& t : derive_tensors(m, f)) {
        const auto& info = ggml_type_info(t.type);
        EXPECT_EQ(t.ne[0] % info.block_elems, 0u)
            << m.id << " " << file_type_name(f) << " " << t.name << " " << info.name;
      }
    }
  }
}

// ---- Parameter counts ----------------------------------------------------------------------

TEST(RecipeParams, CloseToPublishedTotals) {
  int checked = 0;
  for (const auto& m : catalog()) {
    if (m.params_total_b <= 0) continue;
    ++checked;
    const double text = double(total_params(derive_tensors(m, FileType::F16)));
    const double vision = double(total_params(vision_tensors(m)));
    SCOPED_TRACE(m.id);
    EXPECT_NEAR(text / 1e9 / m.params_total_b, 1.0, 0.05)
        << "derived " << text / 1e9 << "B (+" << vision / 1e9 << "B vision), published "
        << m.params_total_b << "B";
  }
  EXPECT_GE(checked, 20);
}

TEST(RecipeParams, ActiveParamsBelowTotalForMoE) {
  // Published active counts differ in what they include (embeddings or not), so only the
  // ordering is checked here.
  for (const auto& m : catalog()) {
    if (!m.is_moe()) continue;
    double total = 0, active = 0;
    const double frac = double(m.moe.experts_used) / m.moe.experts;
    for (const auto& t : derive_tensors(m, FileType::F16)) {
      total += double(t.elements());
      active += t.role == TensorRole::FfnExperts ? double(t.elements()) * frac : double(t.elements());
    }
    EXPECT_LT(active, total) << m.id;
    if (m.params_active_b > 0) {
      EXPECT_LT(m.params_active_b, m.params_total_b) << m.id;
    }
  }
}

TEST(RecipeParams, Llama31_8BExact) {
  // 8,030,261,248 parameters (HF safetensors metadata of Meta-Llama-3.1-8B).
  EXPECT_EQ(total_params(derive_tensors(model("llama-3.1-8b"), FileType::F16)), 8030261248u);
}

TEST(Vision, OnlyForMultimodalModels) {
  EXPECT_TRUE(vision_tensors(model("llama-3.1-8b")).empty());
  for (const auto& m : catalog()) {
    const auto v = vision_tensors(m);
    if (m.vision_params <= 0) {
      EXPECT_TRUE(v.empty()) << m.id;
      continue;
    }
    ASSERT_EQ(v.size(), 1u) << m.id;
    EXPECT_EQ(v[0].type, GgmlType::F16);
    EXPECT_EQ(v[0].role, TensorRole::Vision);
    EXPECT_EQ(v[0].elements(), uint64_t(m.vision_params));
    EXPECT_EQ(v[0].bytes(), 2 * uint64_t(m.vision_params));
  }
}

}  // namespace
}  // namespace worthit
