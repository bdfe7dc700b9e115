// SPDX-License-Identifier: MIT
#include "model/gguf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "support/gguf_writer.h"

namespace worthit {
namespace {

namespace fs = std::filesystem;
using test::gguf_str;
using test::gguf_value;
using test::GgufBytes;
using test::GgufWriter;

GgufValue u32(uint32_t v) { return gguf_value(v); }

/// The message of a failed result, or "<ok>".
template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

/// A fresh directory per test, removed afterwards.
class GgufFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_gguf_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

Result<GgufFile> parse(const std::vector<uint8_t>& b) { return parse_gguf(b, b.size(), "t.gguf"); }

/// A llama-like model: `layers` blocks, hidden 256, 8 heads, 2 KV heads, FFN 512.
GgufWriter llama(int layers, bool with_output = true, uint32_t version = 3) {
  GgufWriter w(version);
  w.set_str("general.architecture", "llama").set_str("general.name", "Tiny Llama");
  w.set_u32("general.file_type", 15);
  w.set_u32("llama.block_count", layers).set_u32("llama.context_length", 4096);
  w.set_u32("llama.embedding_length", 256).set_u32("llama.feed_forward_length", 512);
  w.set_u32("llama.attention.head_count", 8).set_u32("llama.attention.head_count_kv", 2);
  w.set_u32("llama.vocab_size", 1024);
  w.tensor("token_embd.weight", {256, 1024}, GgmlType::Q4_K);
  for (int i = 0; i < layers; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    w.tensor(b + "attn_norm.weight", {256}, GgmlType::F32);
    w.tensor(b + "attn_q.weight", {256, 256}, GgmlType::Q4_K);
    w.tensor(b + "attn_k.weight", {256, 64}, GgmlType::Q4_K);
    w.tensor(b + "attn_v.weight", {256, 64}, GgmlType::Q6_K);
    w.tensor(b + "attn_output.weight", {256, 256}, GgmlType::Q4_K);
    w.tensor(b + "ffn_norm.weight", {256}, GgmlType::F32);
    w.tensor(b + "ffn_gate.weight", {256, 512}, GgmlType::Q4_K);
    w.tensor(b + "ffn_up.weight", {256, 512}, GgmlType::Q4_K);
    w.tensor(b + "ffn_down.weight", {512, 256}, GgmlType::Q6_K);
  }
  w.tensor("output_norm.weight", {256}, GgmlType::F32);
  if (with_output) w.tensor("output.weight", {256, 1024}, GgmlType::Q6_K);
  return w;
}

/// Every value type, arrays of each, nested arrays and an empty array.
void add_every_type(GgufWriter& w) {
  using test::gguf_array;
  w.set("t.u8", gguf_value<uint8_t>(200)).set("t.i8", gguf_value<int8_t>(-100));
  w.set("t.u16", gguf_value<uint16_t>(60000)).set("t.i16", gguf_value<int16_t>(-30000));
  w.set("t.u32", u32(4000000000u)).set("t.i32", gguf_value<int32_t>(-2));
  w.set("t.f32", gguf_value(1.5f)).set("t.bool", gguf_value(true));
  w.set("t.str", gguf_str("h\xc3\xa9llo")).set("t.u64", gguf_value<uint64_t>(1ull << 40));
  w.set("t.i64", gguf_value<int64_t>(-(1ll << 40))).set("t.f64", gguf_value(-0.25));
  w.set("t.empty_str", gguf_str(""));
  w.set("t.arr_i16",
        gguf_value(gguf_array(GgufType::I16, {gguf_value<int16_t>(-1), gguf_value<int16_t>(7)})));
  w.set("t.arr_f32", gguf_value(gguf_array(GgufType::F32, {gguf_value(0.5f), gguf_value(2.f)})));
  w.set("t.arr_bool",
        gguf_value(gguf_array(GgufType::Bool, {gguf_value(true), gguf_value(false)})));
  w.set("t.arr_f64", gguf_value(gguf_array(GgufType::F64, {gguf_value(3.25)})));
  w.set("t.arr_str", test::gguf_str_array({"a", "", "ccc"}));
  w.set("t.arr_empty", gguf_value(gguf_array(GgufType::U64, {})));
  const GgufValue inner1 = test::gguf_u32_array({1, 2, 3});
  const GgufValue inner2 = test::gguf_u32_array({});
  w.set("t.nested", gguf_value(gguf_array(GgufType::Array, {inner1, inner2})));
}

TEST_F(GgufFiles, RoundTripEveryValueTypeV2AndV3) {
  for (uint32_t version : {2u, 3u}) {
    GgufWriter w = llama(1, true, version);
    add_every_type(w);
    const std::string p = path("v" + std::to_string(version) + ".gguf");
    ASSERT_TRUE(w.write(p));
    Result<GgufFile> f = read_gguf(p);
    ASSERT_TRUE(f) << err(f);
    EXPECT_EQ(f->version, version);
    EXPECT_EQ(f->alignment, 32u);
    EXPECT_EQ(f->data_offset, w.header().size());
    EXPECT_EQ(f->file_size, w.file_size());
    ASSERT_EQ(f->metadata.size(), 30u);
    EXPECT_EQ(*f->find("t.i8"), gguf_value<int8_t>(-100));
    EXPECT_EQ(f->find("t.nested")->as_array()->arrays.at(0).u64_at(2), 3u);
    EXPECT_EQ(f->find("t.arr_str")->as_array()->string_at(2), "ccc");
    EXPECT_EQ(f->find("t.arr_i16")->as_array()->f64_at(0), -1.0);
    EXPECT_EQ(f->get_str("t.str"), "h\xc3\xa9llo");
    EXPECT_EQ(f->get_u64("t.i32"), std::nullopt);  // negative
    EXPECT_EQ(f->get_f64("t.f32"), 1.5);
    ASSERT_EQ(f->tensors.size(), 12u);
    EXPECT_EQ(f->tensors[2].name, "blk.0.attn_q.weight");
    EXPECT_EQ(f->tensors[2].type, GgmlType::Q4_K);
    EXPECT_EQ(f->tensors[2].layer, 0);
    EXPECT_EQ(f->tensors[2].role, TensorRole::Attention);
    EXPECT_EQ((std::array<uint64_t, 4>{256, 64, 1, 1}), f->tensors[3].ne);
    Result<GgufFile> mem = parse(w.bytes());
    ASSERT_TRUE(mem) << err(mem);
    EXPECT_EQ(mem->metadata, f->metadata);  // the writer's values come back unchanged
  }
}

TEST_F(GgufFiles, CustomAlignmentMovesTheDataSection) {
  GgufWriter w;
  w.set_u32("general.alignment", 64).set_str("general.architecture", "llama");
  w.tensor("a", {32}, GgmlType::F32).tensor("b", {8}, GgmlType::F32);
  ASSERT_TRUE(w.write(path("a.gguf")));
  Result<GgufFile> f = read_gguf(path("a.gguf"));
  ASSERT_TRUE(f) << err(f);
  EXPECT_EQ(f->alignment, 64u);
  EXPECT_EQ(f->data_offset % 64, 0u);
  EXPECT_EQ(f->tensors[1].offset, 128u);
}

TEST_F(GgufFiles, HugeDeclaredFileReadsOnlyTheHeader) {
  // Llama-3.1-8B-like shapes: about 5 GB of declared (sparse) data.
  GgufWriter w;
  w.set_str("general.architecture", "llama");
  w.tensor("token_embd.weight", {4096, 128256}, GgmlType::BF16);
  for (int i = 0; i < 32; ++i) {
    w.tensor("blk." + std::to_string(i) + ".ffn_up.weight", {4096, 14336}, GgmlType::Q8_0);
    w.tensor("blk." + std::to_string(i) + ".ffn_down.weight", {14336, 4096}, GgmlType::Q8_0);
  }
  ASSERT_TRUE(w.write(path("big.gguf")));
  const auto t0 = std::chrono::steady_clock::now();
  Result<GgufFile> f = read_gguf(path("big.gguf"));
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(f) << err(f);
  EXPECT_GT(f->file_size, 5'000'000'000u);
  EXPECT_EQ(f->tensor_bytes(), 4096ull * 128256 * 2 + 64ull * 4096 * 14336 / 32 * 34);
  EXPECT_LT(ms.count(), 1000.0);
}

TEST_F(GgufFiles, LargeTokenizerHeaderIsReadInSteps) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 200000; ++i) tokens.push_back("token_" + std::to_string(i));
  GgufWriter w = llama(1);
  w.set("tokenizer.ggml.tokens", test::gguf_str_array(tokens));
  ASSERT_TRUE(w.write(path("tok.gguf")));
  ASSERT_GT(w.header().size(), 3u << 20);  // larger than the first 1 MiB read
  Result<GgufFile> f = read_gguf(path("tok.gguf"));
  ASSERT_TRUE(f) << err(f);
  EXPECT_EQ(f->find("tokenizer.ggml.tokens")->as_array()->string_at(199999), "token_199999");
}

TEST(GgufParse, PrefixAsksForMoreBytes) {
  const std::vector<uint8_t> all = llama(2).bytes();
  const std::vector<uint8_t> prefix(all.begin(), all.begin() + 100);
  uint64_t need = 0;
  Result<GgufFile> f = parse_gguf(prefix, all.size(), "t.gguf", &need);
  EXPECT_EQ(err(f),
            "t.gguf: offset 93: metadata 'general.name': header continues past the "
            "first 100 bytes");
  EXPECT_EQ(need, 101u);
}

TEST(GgufArch, LlamaTwoLayers) {
  Result<GgufFile> f = parse(llama(2).bytes());
  ASSERT_TRUE(f) << err(f);
  Result<ModelArch> a = arch_from_gguf(*f, "t.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->arch, "llama");
  EXPECT_EQ(a->name, "Tiny Llama");
  EXPECT_EQ(a->id, "t");
  EXPECT_EQ(a->n_layers, 2);
  EXPECT_EQ(a->hidden, 256);
  EXPECT_EQ(a->n_heads, 8);
  EXPECT_EQ(a->n_kv_heads, 2);
  EXPECT_EQ(a->head_dim, 32);
  EXPECT_EQ(a->head_dim_v, 0);
  EXPECT_EQ(a->ffn, 512);
  EXPECT_EQ(a->vocab, 1024);
  EXPECT_EQ(a->context_max, 4096);
  EXPECT_FALSE(a->tied_embeddings);
  EXPECT_FALSE(a->attn_bias);
  EXPECT_FALSE(a->is_moe());
  EXPECT_EQ(a->sliding_window, 0);
  Result<GgufFile> tied = parse(llama(2, false).bytes());
  ASSERT_TRUE(tied) << err(tied);
  EXPECT_TRUE(arch_from_gguf(*tied, "t.gguf")->tied_embeddings);
}

/// A metadata-only file of architecture `arch` with the common keys plus `extra`.
GgufFile meta(const std::string& arch, const std::vector<std::pair<std::string, GgufValue>>& extra,
              const std::vector<std::pair<std::string, std::vector<uint64_t>>>& tensors = {}) {
  GgufWriter w;
  w.set_str("general.architecture", arch);
  w.set_u32(arch + ".block_count", 6).set_u32(arch + ".context_length", 8192);
  w.set_u32(arch + ".embedding_length", 512).set_u32(arch + ".attention.head_count", 8);
  w.set_u32(arch + ".vocab_size", 1000);
  for (const auto& [k, v] : extra) w.set(arch + "." + k, v);
  for (const auto& [name, ne] : tensors) w.tensor(name, ne, GgmlType::F16);
  Result<GgufFile> f = parse(w.bytes());
  EXPECT_TRUE(f) << err(f);
  return f ? *f : GgufFile{};
}

TEST(GgufArch, Gemma3SlidesFiveOfSixLayers) {
  Result<ModelArch> a = arch_from_gguf(meta("gemma3", {{"attention.sliding_window", u32(1024)},
                                                       {"attention.key_length", u32(128)},
                                                       {"attention.value_length", u32(128)}}),
                                       "g.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->sliding_window, 1024);
  EXPECT_EQ(a->swa_period, 6);
  EXPECT_EQ(a->head_dim, 128);
  EXPECT_EQ(a->layer_attention(5), AttentionKind::Full);
  EXPECT_EQ(a->layer_attention(4), AttentionKind::Sliding);
}

TEST(GgufArch, GptOssMoeWithBiasesAndAlternatingWindow) {
  Result<ModelArch> a = arch_from_gguf(
      meta("gpt-oss",
           {{"attention.sliding_window", u32(128)},
            {"expert_count", u32(32)},
            {"expert_used_count", u32(4)},
            {"expert_feed_forward_length", u32(2880)}},
           {{"blk.0.attn_q.bias", {512}}, {"blk.0.ffn_up_exps.weight", {512, 2880, 32}}}),
      "o.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->swa_period, 2);
  EXPECT_EQ(a->moe.experts, 32);
  EXPECT_EQ(a->moe.experts_used, 4);
  EXPECT_EQ(a->moe.expert_ffn, 2880);
  EXPECT_EQ(a->moe.first_dense_layers, 0);
  EXPECT_TRUE(a->attn_bias);
  EXPECT_TRUE(a->tied_embeddings);  // tensors present, no output.weight
}

TEST(GgufArch, DeepSeek2LatentAttentionAndLeadingDenseLayers) {
  Result<ModelArch> a = arch_from_gguf(meta("deepseek2", {{"attention.head_count_kv", u32(1)},
                                                          {"attention.key_length", u32(576)},
                                                          {"attention.value_length", u32(512)},
                                                          {"attention.key_length_mla", u32(192)},
                                                          {"attention.value_length_mla", u32(128)},
                                                          {"attention.kv_lora_rank", u32(512)},
                                                          {"attention.q_lora_rank", u32(1536)},
                                                          {"rope.dimension_count", u32(64)},
                                                          {"expert_count", u32(256)},
                                                          {"expert_used_count", u32(8)},
                                                          {"expert_shared_count", u32(1)},
                                                          {"expert_feed_forward_length", u32(2048)},
                                                          {"leading_dense_block_count", u32(3)}}),
                                       "d.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->head_dim, 192);
  EXPECT_EQ(a->head_dim_v, 128);
  EXPECT_EQ(a->n_kv_heads, 8);
  EXPECT_EQ(a->mla.kv_lora_rank, 512);
  EXPECT_EQ(a->mla.q_lora_rank, 1536);
  EXPECT_EQ(a->mla.qk_rope_dim, 64);
  EXPECT_EQ(a->mla.qk_nope_dim, 128);
  EXPECT_EQ(a->mla.v_head_dim, 128);
  EXPECT_EQ(a->moe.shared_experts, 1);
  EXPECT_EQ(a->moe.shared_ffn, 0);
  EXPECT_EQ(a->moe.first_dense_layers, 3);
}

TEST(GgufArch, Qwen3NextLinearLayersAndSharedExpert) {
  Result<ModelArch> a =
      arch_from_gguf(meta("qwen3next", {{"ssm.conv_kernel", u32(4)},
                                        {"ssm.state_size", u32(128)},
                                        {"ssm.group_count", u32(16)},
                                        {"ssm.time_step_rank", u32(32)},
                                        {"ssm.inner_size", u32(4096)},
                                        {"expert_count", u32(512)},
                                        {"expert_used_count", u32(10)},
                                        {"expert_feed_forward_length", u32(512)},
                                        {"expert_shared_feed_forward_length", u32(512)}}),
                     "n.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->linear.full_attention_interval, 4);
  EXPECT_EQ(a->linear.heads_qk, 16);
  EXPECT_EQ(a->linear.heads_v, 32);
  EXPECT_EQ(a->linear.head_dim_qk, 128);
  EXPECT_EQ(a->linear.head_dim_v, 128);
  EXPECT_EQ(a->linear.conv_kernel, 4);
  EXPECT_EQ(a->moe.shared_experts, 1);
  EXPECT_EQ(a->layer_attention(3), AttentionKind::Full);
  EXPECT_EQ(a->layer_attention(2), AttentionKind::Linear);
}

TEST(GgufArch, Llama4ChunkedInterleavedWithSharedExpertTensor) {
  Result<ModelArch> a = arch_from_gguf(
      meta("llama4",
           {{"expert_count", u32(128)},
            {"expert_used_count", u32(1)},
            {"expert_feed_forward_length", u32(8192)},
            {"interleave_moe_layer_step", u32(2)},
            {"feed_forward_length", u32(16384)}},
           {{"blk.1.ffn_up_shexp.weight", {512, 8192}}, {"output.weight", {512, 1000}}}),
      "l.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->sliding_window, 8192);
  EXPECT_EQ(a->swa_period, 4);
  EXPECT_EQ(a->moe.interleave, 2);
  EXPECT_EQ(a->moe.shared_experts, 1);
  EXPECT_EQ(a->moe.shared_ffn, 0);
  EXPECT_EQ(a->ffn, 16384);
  EXPECT_FALSE(a->layer_is_moe(0));
  EXPECT_TRUE(a->layer_is_moe(1));
}

TEST(GgufArch, PerLayerArraysTakeTheLargestAndNextnBlocksAreDropped) {
  Result<ModelArch> a = arch_from_gguf(
      meta("glm4moe", {{"feed_forward_length", test::gguf_u32_array({0, 10944, 0, 0, 0, 0})},
                       {"attention.head_count_kv", test::gguf_u32_array({2, 2, 4, 2, 2, 2})},
                       {"nextn_predict_layers", u32(1)}}),
      "z.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(a->ffn, 10944);
  EXPECT_EQ(a->n_kv_heads, 4);
  EXPECT_EQ(a->n_layers, 5);
}

TEST(GgufArch, Errors) {
  EXPECT_EQ(err(arch_from_gguf(meta("foo", {}), "f.gguf")),
            "f.gguf: metadata 'general.architecture': unsupported architecture 'foo' (supported: "
            "deepseek2, gemma3, glm4moe, gpt-oss, llama, llama4, mistral3, phi2, phi3, qwen2, "
            "qwen3, qwen3moe, qwen3next)");
  GgufFile f = meta("llama", {});
  f.metadata.erase(f.metadata.begin() + 1);  // llama.block_count
  EXPECT_EQ(err(arch_from_gguf(f, "f.gguf")),
            "f.gguf: metadata 'llama.block_count': required key is missing");
  EXPECT_EQ(err(arch_from_gguf(meta("llama", {{"attention.key_length", gguf_str("x")}}), "f")),
            "f: metadata 'llama.attention.key_length': expected an unsigned integer, got string");
  EXPECT_EQ(err(arch_from_gguf(meta("llama", {{"expert_count", u32(8)}}), "f")),
            "f: metadata 'llama.expert_used_count': required key is missing");
  EXPECT_EQ(err(arch_from_gguf(meta("gemma3", {}), "f")),
            "f: metadata 'gemma3.attention.sliding_window': required key is missing");
}

/// Writes a 2-layer llama as 3 splits in `dir`; split 1 carries the metadata, as gguf-split
/// writes it. Returns the paths.
std::vector<std::string> write_splits(const fs::path& dir, uint16_t count_in_keys = 3) {
  const GgufWriter whole = llama(2);
  Result<GgufFile> f = parse(whole.bytes());
  std::vector<std::string> paths;
  for (int k = 0; k < 3; ++k) {
    GgufWriter w;
    if (k == 0)
      for (const auto& [key, v] : f->metadata) w.set(key, v);
    w.set("split.no", gguf_value<uint16_t>(static_cast<uint16_t>(k)));
    w.set("split.count", gguf_value<uint16_t>(count_in_keys));
    w.set("split.tensors.count", gguf_value<int32_t>(static_cast<int32_t>(f->tensors.size())));
    for (size_t i = static_cast<size_t>(k); i < f->tensors.size(); i += 3) {
      const TensorInfo& t = f->tensors[i];
      std::vector<uint64_t> ne = {t.ne[0]};
      if (t.ne[1] > 1) ne.push_back(t.ne[1]);
      w.tensor(t.name, ne, t.type);
    }
    paths.push_back((dir / ("tiny-0000" + std::to_string(k + 1) + "-of-00003.gguf")).string());
    EXPECT_TRUE(w.write(paths.back()));
  }
  return paths;
}

TEST_F(GgufFiles, SplitModelLoadsEverySplit) {
  const std::vector<std::string> p = write_splits(dir_);
  Result<GgufModel> m = load_gguf_model(p[1]);  // any split names the model
  ASSERT_TRUE(m) << err(m);
  EXPECT_EQ(m->split_count, 3);
  EXPECT_EQ(m->tensors.size(), 21u);
  EXPECT_EQ(m->file_bytes, fs::file_size(p[0]) + fs::file_size(p[1]) + fs::file_size(p[2]));
  EXPECT_EQ(m->tensor_bytes, parse(llama(2).bytes())->tensor_bytes());
  EXPECT_EQ(m->name, "Tiny Llama");
  EXPECT_EQ(m->file_type, FileType::Q4_K_M);
  EXPECT_EQ(m->arch.n_layers, 2);
  EXPECT_FALSE(m->arch.tied_embeddings);  // output.weight sits in another split
  ASSERT_TRUE(llama(1).write(path("one.gguf")));
  Result<GgufModel> single = load_gguf_model(path("one.gguf"));
  ASSERT_TRUE(single) << err(single);
  EXPECT_EQ(single->split_count, 1);
  EXPECT_EQ(single->file_bytes, fs::file_size(path("one.gguf")));
}

TEST_F(GgufFiles, SplitErrors) {
  std::vector<std::string> p = write_splits(dir_, 2);
  EXPECT_EQ(err(load_gguf_model(p[0])),
            p[0] + ": metadata 'split.count': 2 does not match the file name (of 00003)");
  p = write_splits(dir_);
  fs::remove(p[1]);
  EXPECT_EQ(err(load_gguf_model(p[0])),
            p[1] + ": split 2 of 3 is missing (all splits must be in the same directory)");
  fs::copy_file(p[0], p[1]);
  EXPECT_EQ(err(load_gguf_model(p[0])),
            p[1] + ": metadata 'split.no': 0 does not match the file name (expected 1)");
  fs::copy_file(p[0], path("x.gguf"));
  EXPECT_EQ(err(load_gguf_model(path("x.gguf"))),
            path("x.gguf") +
                ": metadata 'split.count': the file is split 1 of a 3-part model, "
                "but its name does not end in -0000K-of-0000N.gguf");
  EXPECT_EQ(err(load_gguf_model(path("none.gguf"))),
            path("none.gguf") + ": cannot open: no such file");
}

/// GGUF header with the given counts.
GgufBytes head(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
  GgufBytes b;
  b.u32(0x46554747).u32(version).u64(n_tensors).u64(n_kv);
  return b;
}

/// One F32 tensor info named `name` with 1 dimension of 32 at `offset`.
GgufBytes& f32_tensor(GgufBytes& b, const std::string& name, uint64_t offset) {
  return b.str(name).u32(1).u64(32).u32(0).u64(offset);
}

/// The small valid file the truncation cases cut: one key, one 128-byte tensor, 256 bytes.
std::vector<uint8_t> small_file() {
  GgufBytes b = head(1, 1);
  b.str("general.architecture").u32(8).str("llama");
  f32_tensor(b, "w", 0).pad_to(32);
  std::vector<uint8_t> v = b.data();
  v.resize(256, 0);
  return v;
}

std::vector<uint8_t> cut(std::vector<uint8_t> v, size_t n) {
  v.resize(n);
  return v;
}

struct BadCase {
  const char* name;
  std::vector<uint8_t> bytes;
  const char* message;
};

/// Header, version and truncation failures.
void header_cases(std::vector<BadCase>& c) {
  GgufBytes b;
  c.push_back({"Empty", {}, "offset 0: unexpected end of file: needs 4 bytes, 0 left"});
  b = GgufBytes();
  b.u32(0x4c4d4747).u32(3).u64(0).u64(0);
  c.push_back({"BadMagic", b.data(), "offset 0: not a GGUF file (magic 'GGML', expected 'GGUF')"});
  c.push_back(
      {"Version1", head(0, 0, 1).data(), "offset 4: unsupported GGUF version 1 (supported: 2, 3)"});
  c.push_back({"BigEndian", head(0, 0, 0x03000000).data(),
               "offset 4: unsupported GGUF version 50331648 (supported: 2, 3) (this is a "
               "big-endian file)"});
  c.push_back({"TruncatedInCounts", cut(small_file(), 20),
               "offset 8: tensor count 1 needs at least 33 bytes, 4 left"});
  c.push_back({"TruncatedInValue", cut(small_file(), 60),
               "offset 56: metadata "
               "'general.architecture': unexpected end of file: needs 8 bytes, 4 left"});
  c.push_back({"TruncatedInTensorInfo", cut(small_file(), 85),
               "offset 82: tensor 'w': unexpected end of file: needs 8 bytes, 3 left"});
  c.push_back({"TensorDataPastEnd", cut(small_file(), 200),
               "offset 69: tensor 'w': data (section at 128 + offset 0 + 128 bytes) runs past the "
               "end of the file (200 bytes) (the file may be truncated, e.g. by an incomplete "
               "download)"});
}

/// Metadata failures.
void metadata_cases(std::vector<BadCase>& c) {
  GgufBytes b = head(0, 1);
  b.str("general.name").u32(8).u64(10).raw({'a', 'b', 'c'});
  c.push_back({"StringPastEnd", b.data(),
               "offset 48: metadata 'general.name': string length 10 "
               "runs past the end (3 bytes left)"});
  b = head(0, 1);
  b.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(1000000000000);
  c.push_back({"HugeArrayCount", b.data(),
               "offset 61: metadata 'tokenizer.ggml.tokens': array "
               "of 1000000000000 string needs at least 8000000000000 bytes, 0 left"});
  b = head(0, 1);
  b.str("k").u32(9);
  for (int i = 0; i < 4; ++i) b.u32(9).u64(1);
  b.u32(4).u64(0);
  c.push_back(
      {"NestedTooDeep", b.data(), "offset 85: metadata 'k': arrays nested deeper than 4 levels"});
  b = head(0, 1);
  b.str("k").u32(13).u32(0);
  c.push_back({"UnknownValueType", b.data(), "offset 33: metadata 'k': unknown value type 13"});
  b = head(0, 1);
  b.str("k").u32(9).u32(42).u64(0);
  c.push_back(
      {"UnknownArrayType", b.data(), "offset 37: metadata 'k': unknown array element type 42"});
  b = head(0, 2);
  b.str("k").u32(0).u8(1).str("k").u32(0).u8(2);
  c.push_back({"DuplicateKey", b.data(), "offset 38: metadata 'k': duplicate key"});
  b = head(0, 1);
  b.str("").u32(0).u8(1).u32(0);
  c.push_back({"EmptyKey", b.data(), "offset 24: metadata #0 key: empty key"});
  for (uint32_t a : {0u, 3u}) {
    b = head(0, 1);
    b.str("general.alignment").u32(4).u32(a);
    c.push_back(
        {a == 0 ? "AlignmentZero" : "AlignmentThree", b.data(),
         a == 0 ? "offset 49: metadata 'general.alignment': alignment 0 is not a power of two"
                : "offset 49: metadata 'general.alignment': alignment 3 is not a power of two"});
  }
  b = head(0, 1);
  b.str("general.alignment").u32(8).str("32");
  c.push_back({"AlignmentNotU32", b.data(),
               "offset 49: metadata 'general.alignment': alignment must be a uint32, got string"});
}

/// Tensor info failures.
void tensor_cases(std::vector<BadCase>& c) {
  c.push_back({"HugeTensorCount", head(1ull << 40, 0).data(),
               "offset 8: tensor count 1099511627776 exceeds the limit of 1048576"});
  GgufBytes b = head(1, 0);
  b.str("blk.0.attn_q.weight").u32(2).u64(32).u64(32).u32(99).u64(0).pad_to(64);
  c.push_back({"UnknownTensorType", b.data(),
               "offset 71: tensor 'blk.0.attn_q.weight': unknown tensor type id 99"});
  for (uint32_t n : {0u, 5u}) {
    b = head(1, 0);
    b.str("w").u32(n);
    for (int i = 0; i < 5; ++i) b.u64(32);
    b.u32(0).u64(0);
    c.push_back({n == 0 ? "NDims0" : "NDims5", b.data(),
                 n == 0 ? "offset 33: tensor 'w': n_dims 0 is out of range (1..4)"
                        : "offset 33: tensor 'w': n_dims 5 is out of range (1..4)"});
  }
  b = head(1, 0);
  b.str("w").u32(2).u64(32).u64(0).u32(0).u64(0);
  c.push_back({"ZeroDimension", b.data(), "offset 45: tensor 'w': dimension 1 is 0"});
  b = head(1, 0);
  b.str("w").u32(2).u64(1ull << 32).u64(1ull << 32).u32(0).u64(0);
  c.push_back({"TooManyElements", b.data(),
               "offset 45: tensor 'w': dimension 1 (4294967296) "
               "overflows 2^63 elements"});
  b = head(1, 0);
  b.str("w").u32(1).u64(100).u32(2).u64(0).pad_to(32);
  c.push_back(
      {"RowNotBlockMultiple", b.data(),
       "offset 45: tensor 'w': row length 100 is not a multiple of the Q4_0 block size 32"});
  b = head(1, 0);
  f32_tensor(b, "w", 33).pad_to(32).raw(std::vector<uint8_t>(200, 0));
  c.push_back({"MisalignedOffset", b.data(),
               "offset 49: tensor 'w': data offset 33 is not a multiple of the alignment 32"});
  b = head(2, 0);
  f32_tensor(b, "w", 0);
  f32_tensor(b, "w", 128).pad_to(32);
  c.push_back({"DuplicateTensor", b.data(), "offset 57: tensor 'w': duplicate tensor name"});
}

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> c;
  header_cases(c);
  metadata_cases(c);
  tensor_cases(c);
  return c;
}

class GgufCorrupt : public ::testing::TestWithParam<BadCase> {};

TEST_P(GgufCorrupt, IsRejectedWithItsMessage) {
  EXPECT_EQ(err(parse(GetParam().bytes)), std::string("t.gguf: ") + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Gguf, GgufCorrupt, ::testing::ValuesIn(bad_cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(GgufBadFiles, EveryFileIsRejected) {
  const fs::path dir = fs::path(WORTHIT_TEST_DATA) / "bad" / "gguf";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".gguf") continue;
    ++n;
    Result<GgufModel> m = load_gguf_model(e.path().string());
    ASSERT_FALSE(m) << e.path();
    EXPECT_EQ(m.error().message().rfind(e.path().string() + ": ", 0), 0u) << err(m);
  }
  EXPECT_GE(n, 20);
}

}  // namespace
}  // namespace worthit
