// SPDX-License-Identifier: MIT
// Fixtures in tests/data/hf are copies of the models' published config.json files
// (meta-llama/Llama-3.1-8B, Qwen/Qwen3-30B-A3B, openai/gpt-oss-20b, google/gemma-3-27b-it,
// deepseek-ai/DeepSeek-V3, Qwen/Qwen3-Next-80B-A3B-Instruct), reformatted.
#include "model/hf_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace worthit {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return (fs::path(WORTHIT_TEST_DATA) / "hf" / name).string();
}

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

ModelArch load(const std::string& name) {
  Result<ModelArch> a = arch_from_hf_config(fixture(name));
  EXPECT_TRUE(a) << err(a);
  return a ? *a : ModelArch{};
}

TEST(HfConfig, Llama31_8B) {
  const ModelArch a = load("llama-3.1-8b.json");
  EXPECT_EQ(a.id, "llama-3.1-8b");
  EXPECT_EQ(a.arch, "llama");
  EXPECT_EQ(a.n_layers, 32);
  EXPECT_EQ(a.hidden, 4096);
  EXPECT_EQ(a.n_heads, 32);
  EXPECT_EQ(a.n_kv_heads, 8);
  EXPECT_EQ(a.head_dim, 128);
  EXPECT_EQ(a.head_dim_v, 0);
  EXPECT_EQ(a.ffn, 14336);
  EXPECT_EQ(a.vocab, 128256);
  EXPECT_EQ(a.context_max, 131072);
  EXPECT_FALSE(a.tied_embeddings);
  EXPECT_FALSE(a.attn_bias);
  EXPECT_TRUE(a.ffn_gated);
  EXPECT_FALSE(a.is_moe());
  EXPECT_EQ(a.sliding_window, 0);
}

TEST(HfConfig, Qwen3_30B_A3B) {
  const ModelArch a = load("qwen3-30b-a3b.json");
  EXPECT_EQ(a.arch, "qwen3moe");
  EXPECT_EQ(a.n_layers, 48);
  EXPECT_EQ(a.hidden, 2048);
  EXPECT_EQ(a.n_heads, 32);
  EXPECT_EQ(a.n_kv_heads, 4);
  EXPECT_EQ(a.head_dim, 128);
  EXPECT_EQ(a.ffn, 6144);
  EXPECT_EQ(a.moe.experts, 128);
  EXPECT_EQ(a.moe.experts_used, 8);
  EXPECT_EQ(a.moe.expert_ffn, 768);
  EXPECT_EQ(a.moe.shared_experts, 0);
  EXPECT_EQ(a.moe.interleave, 1);
  EXPECT_EQ(a.vocab, 151936);
  EXPECT_EQ(a.context_max, 40960);
  EXPECT_EQ(a.sliding_window, 0);  // "sliding_window": null
}

TEST(HfConfig, GptOss20B) {
  const ModelArch a = load("gpt-oss-20b.json");
  EXPECT_EQ(a.arch, "gpt-oss");
  EXPECT_EQ(a.n_layers, 24);
  EXPECT_EQ(a.hidden, 2880);
  EXPECT_EQ(a.n_heads, 64);
  EXPECT_EQ(a.n_kv_heads, 8);
  EXPECT_EQ(a.head_dim, 64);
  EXPECT_EQ(a.moe.experts, 32);
  EXPECT_EQ(a.moe.experts_used, 4);
  EXPECT_EQ(a.moe.expert_ffn, 2880);
  EXPECT_TRUE(a.attn_bias);
  EXPECT_EQ(a.sliding_window, 128);
  EXPECT_EQ(a.swa_period, 2);
  EXPECT_EQ(a.layer_attention(0), AttentionKind::Sliding);
  EXPECT_EQ(a.layer_attention(1), AttentionKind::Full);
  EXPECT_EQ(a.vocab, 201088);
}

TEST(HfConfig, Gemma3NestedTextConfigWithClassDefaults) {
  const ModelArch a = load("gemma-3-27b-it.json");
  EXPECT_EQ(a.arch, "gemma3");
  EXPECT_EQ(a.id, "gemma-3-27b-it");
  EXPECT_EQ(a.n_layers, 62);
  EXPECT_EQ(a.hidden, 5376);
  EXPECT_EQ(a.n_heads, 32);
  EXPECT_EQ(a.n_kv_heads, 16);
  EXPECT_EQ(a.head_dim, 128);
  EXPECT_EQ(a.ffn, 21504);
  EXPECT_EQ(a.sliding_window, 1024);
  EXPECT_EQ(a.swa_period, 6);
  EXPECT_EQ(a.vocab, 262208);        // Gemma3TextConfig default
  EXPECT_EQ(a.context_max, 131072);  // Gemma3TextConfig default
  EXPECT_TRUE(a.tied_embeddings);    // Gemma3TextConfig default
  int global = 0;
  for (int i = 0; i < a.n_layers; ++i) global += a.layer_attention(i) == AttentionKind::Full;
  EXPECT_EQ(global, 10);
}

TEST(HfConfig, DeepSeekV3) {
  const ModelArch a = load("deepseek-v3.json");
  EXPECT_EQ(a.arch, "deepseek2");
  EXPECT_EQ(a.n_layers, 61);
  EXPECT_EQ(a.n_heads, 128);
  EXPECT_EQ(a.n_kv_heads, 128);
  EXPECT_EQ(a.head_dim, 192);
  EXPECT_EQ(a.head_dim_v, 128);
  EXPECT_EQ(a.ffn, 18432);
  EXPECT_EQ(a.mla.q_lora_rank, 1536);
  EXPECT_EQ(a.mla.kv_lora_rank, 512);
  EXPECT_EQ(a.mla.qk_rope_dim, 64);
  EXPECT_EQ(a.mla.qk_nope_dim, 128);
  EXPECT_EQ(a.mla.v_head_dim, 128);
  EXPECT_EQ(a.moe.experts, 256);
  EXPECT_EQ(a.moe.experts_used, 8);
  EXPECT_EQ(a.moe.shared_experts, 1);
  EXPECT_EQ(a.moe.expert_ffn, 2048);
  EXPECT_EQ(a.moe.first_dense_layers, 3);
  EXPECT_EQ(a.context_max, 163840);
}

TEST(HfConfig, Qwen3Next) {
  const ModelArch a = load("qwen3-next-80b-a3b.json");
  EXPECT_EQ(a.arch, "qwen3next");
  EXPECT_EQ(a.head_dim, 256);
  EXPECT_EQ(a.n_kv_heads, 2);
  EXPECT_EQ(a.linear.full_attention_interval, 4);
  EXPECT_EQ(a.linear.heads_qk, 16);
  EXPECT_EQ(a.linear.heads_v, 32);
  EXPECT_EQ(a.linear.head_dim_qk, 128);
  EXPECT_EQ(a.linear.head_dim_v, 128);
  EXPECT_EQ(a.linear.conv_kernel, 4);
  EXPECT_EQ(a.moe.experts, 512);
  EXPECT_EQ(a.moe.experts_used, 10);
  EXPECT_EQ(a.moe.shared_experts, 1);
  EXPECT_EQ(a.moe.shared_ffn, 0);  // same size as a routed expert
}

TEST(HfConfig, OtherArchitecturesInline) {
  const std::string base = R"("num_hidden_layers": 4, "hidden_size": 64, "num_attention_heads": 4,
      "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 512)";
  auto arch = [&](const std::string& extra) {
    Result<ModelArch> a = arch_from_hf_json("{" + base + ", " + extra + "}", "x.json", "x");
    EXPECT_TRUE(a) << err(a);
    return a ? *a : ModelArch{};
  };
  ModelArch m = arch(R"("architectures": ["MixtralForCausalLM"], "num_local_experts": 8,
                        "num_experts_per_tok": 2, "sliding_window": 4096)");
  EXPECT_EQ(m.arch, "llama");
  EXPECT_EQ(m.moe.expert_ffn, 128);
  EXPECT_EQ(m.sliding_window, 0);  // llama.cpp's llama architecture has no SWA
  m = arch(R"("architectures": ["PhiForCausalLM"])");
  EXPECT_EQ(m.arch, "phi2");
  EXPECT_FALSE(m.ffn_gated);
  EXPECT_TRUE(m.parallel_block);
  EXPECT_TRUE(m.attn_bias);
  m = arch(R"("model_type": "glm4_moe", "n_routed_experts": 8, "num_experts_per_tok": 2,
              "n_shared_experts": 1, "moe_intermediate_size": 32, "first_k_dense_replace": 1,
              "attention_bias": true, "head_dim": 32)");
  EXPECT_EQ(m.arch, "glm4moe");
  EXPECT_EQ(m.moe.first_dense_layers, 1);
  EXPECT_EQ(m.head_dim, 32);
  const std::string text = "\"text_config\": {" + base;
  m = arch(R"("architectures": ["Llama4ForConditionalGeneration"], )" + text +
           R"(, "num_local_experts": 16, "num_experts_per_tok": 1, "intermediate_size_mlp": 256,
              "interleave_moe_layer_step": 2, "attention_chunk_size": 8192}, "vocab_size": 1)");
  EXPECT_EQ(m.arch, "llama4");
  EXPECT_EQ(m.ffn, 256);
  EXPECT_EQ(m.moe.expert_ffn, 128);
  EXPECT_EQ(m.moe.shared_experts, 1);
  EXPECT_EQ(m.moe.interleave, 2);
  EXPECT_EQ(m.sliding_window, 8192);
  EXPECT_EQ(m.swa_period, 4);
  EXPECT_EQ(m.vocab, 100);  // text_config wins over the top level
  m = arch(R"("architectures": ["Mistral3ForConditionalGeneration"], )" + text + "}");
  EXPECT_EQ(m.arch, "mistral3");
  EXPECT_EQ(m.head_dim, 16);
}

TEST(HfConfig, ConfigJsonTakesItsDirectoryName) {
  const fs::path dir =
      fs::temp_directory_path() / ("worthit_hf_" + std::to_string(::getpid())) / "Llama-3.1-8B";
  fs::create_directories(dir);
  fs::copy_file(fixture("llama-3.1-8b.json"), dir / "config.json",
                fs::copy_options::overwrite_existing);
  Result<ModelArch> a = arch_from_hf_config((dir / "config.json").string());
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->id, "Llama-3.1-8B");
  fs::remove_all(dir.parent_path());
}

TEST(HfConfig, Errors) {
  const std::string bad = fixture("malformed.json");
  EXPECT_EQ(err(arch_from_hf_config(bad)),
            bad +
                ": malformed JSON: parse error at line 5, column 1: syntax error while parsing "
                "object - unexpected end of input; expected '}'");
  const std::string missing = fixture("missing-field.json");
  EXPECT_EQ(err(arch_from_hf_config(missing)),
            missing + ": num_hidden_layers: required field is missing");
  EXPECT_EQ(err(arch_from_hf_config(fixture("nope.json"))),
            fixture("nope.json") + ": cannot open: no such file");
  EXPECT_EQ(err(arch_from_hf_json(R"({"architectures": ["BertModel"]})", "c.json", "c")),
            "c.json: architectures: unsupported architecture 'BertModel' (supported: "
            "DeepseekV3ForCausalLM, Gemma3ForCausalLM, Gemma3ForConditionalGeneration, "
            "Glm4MoeForCausalLM, GptOssForCausalLM, Llama4ForCausalLM, "
            "Llama4ForConditionalGeneration, LlamaForCausalLM, Mistral3ForConditionalGeneration, "
            "MistralForCausalLM, MixtralForCausalLM, Phi3ForCausalLM, PhiForCausalLM, "
            "Qwen2ForCausalLM, Qwen3ForCausalLM, Qwen3MoeForCausalLM, Qwen3NextForCausalLM)");
  EXPECT_EQ(err(arch_from_hf_json(R"({"hidden_size": 1})", "c.json", "c")),
            "c.json: neither 'architectures' nor 'model_type' is given");
  EXPECT_EQ(err(arch_from_hf_json("[1]", "c.json", "c")),
            "c.json: expected a JSON object, got array");
  EXPECT_EQ(err(arch_from_hf_json(R"({"model_type": "gemma3"})", "c.json", "c")),
            "c.json: text_config: required object is missing");
  EXPECT_EQ(err(arch_from_hf_json(R"({"model_type": "llama", "num_hidden_layers": "32"})", "c.json",
                                  "c")),
            "c.json: num_hidden_layers: expected a non-negative integer, got string");
  EXPECT_EQ(err(arch_from_hf_json(R"({"model_type": "gemma3_text", "num_hidden_layers": 3,
      "hidden_size": 8, "num_attention_heads": 1, "intermediate_size": 8,
      "layer_types": ["sliding_attention", "full_attention", "full_attention"]})",
                                  "c.json", "c")),
            "c.json: layer_types: full and sliding layers do not follow a fixed period");
}

}  // namespace
}  // namespace worthit
