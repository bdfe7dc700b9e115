// SPDX-License-Identifier: MIT
#include "model/gguf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/gguf_writer.h"

namespace worthit {
namespace {

namespace fs = std::filesystem;
using test::gguf_str;
using test::gguf_value;
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

TEST(GgufParse, HeaderLargerThanTheCapIsRejected) {
  // 600 MiB of u8 elements in a 1 GiB file: allowed by the file size, not by the header cap.
  test::GgufBytes b;
  b.u32(0x46554747).u32(3).u64(0).u64(1).str("k").u32(9).u32(0).u64(600ull << 20);
  EXPECT_EQ(err(parse_gguf(b.data(), 1ull << 30, "t.gguf")),
            "t.gguf: offset 49: metadata 'k': header exceeds 512 MiB");
}

TEST(GgufArch, LlamaTwoLayers) {
  Result<GgufFile> f = parse(llama(2).bytes());
  ASSERT_TRUE(f) << err(f);
  Result<ModelArch> a = arch_from_gguf(*f, "t.gguf");
  ASSERT_TRUE(a) << err(a);
  EXPECT_EQ(test::arch_summary(*a),
            "llama layers=2 hidden=256 heads=8/2 head=32 ffn=512 vocab=1024 ctx=4096");
  EXPECT_EQ(a->name, "Tiny Llama");
  EXPECT_EQ(a->id, "t");
  Result<GgufFile> tied = parse(llama(2, false).bytes());
  ASSERT_TRUE(tied) << err(tied);
  EXPECT_TRUE(arch_from_gguf(*tied, "t.gguf")->tied_embeddings);
}

/// A metadata-only file of architecture `arch` with the common keys, the uint32 keys in
/// `keys` ("expert_count=8 rope.dimension_count=64", prefixed with the architecture), the
/// values in `extra`, and F16 tensors.
GgufFile meta(const std::string& arch, const std::string& keys,
              const std::vector<std::pair<std::string, GgufValue>>& extra = {},
              const std::vector<std::pair<std::string, std::vector<uint64_t>>>& tensors = {}) {
  GgufWriter w;
  w.set_str("general.architecture", arch);
  w.set_u32(arch + ".block_count", 6).set_u32(arch + ".context_length", 8192);
  w.set_u32(arch + ".embedding_length", 512).set_u32(arch + ".attention.head_count", 8);
  w.set_u32(arch + ".vocab_size", 1000);
  std::istringstream in(keys);
  for (std::string kv; in >> kv;) {
    const size_t eq = kv.find('=');
    w.set_u32(arch + "." + kv.substr(0, eq), std::stoul(kv.substr(eq + 1)));
  }
  for (const auto& [k, v] : extra) w.set(arch + "." + k, v);
  for (const auto& [name, ne] : tensors) w.tensor(name, ne, GgmlType::F16);
  Result<GgufFile> f = parse(w.bytes());
  EXPECT_TRUE(f) << err(f);
  return f ? *f : GgufFile{};
}

/// arch_summary of arch_from_gguf, or the error message.
std::string summary(const GgufFile& f) {
  Result<ModelArch> a = arch_from_gguf(f, "m.gguf");
  return a ? test::arch_summary(*a) : a.error().message();
}

TEST(GgufArch, Gemma3SlidesFiveOfSixLayers) {
  EXPECT_EQ(summary(meta("gemma3",
                         "attention.sliding_window=1024 attention.key_length=128 "
                         "attention.value_length=128")),
            "gemma3 layers=6 hidden=512 heads=8/8 head=128 ffn=0 vocab=1000 ctx=8192 swa=1024/6");
}

TEST(GgufArch, GptOssMoeWithBiasesAndAlternatingWindow) {
  // Tensors but no output.weight: tied. A bias on attn_q: attn_bias.
  EXPECT_EQ(summary(meta(
                "gpt-oss",
                "attention.sliding_window=128 expert_count=32 expert_used_count=4 "
                "expert_feed_forward_length=2880",
                {}, {{"blk.0.attn_q.bias", {512}}, {"blk.0.ffn_up_exps.weight", {512, 2880, 32}}})),
            "gpt-oss layers=6 hidden=512 heads=8/8 head=64 ffn=0 vocab=1000 ctx=8192 tied bias "
            "swa=128/2 moe=32/4x2880");
}

TEST(GgufArch, DeepSeek2LatentAttentionAndLeadingDenseLayers) {
  // Current converters: compressed sizes under key/value_length, per-head sizes under *_mla.
  EXPECT_EQ(summary(meta("deepseek2",
                         "attention.head_count_kv=1 attention.key_length=576 "
                         "attention.value_length=512 attention.key_length_mla=192 "
                         "attention.value_length_mla=128 attention.kv_lora_rank=512 "
                         "attention.q_lora_rank=1536 rope.dimension_count=64 expert_count=256 "
                         "expert_used_count=8 expert_shared_count=1 "
                         "expert_feed_forward_length=2048 leading_dense_block_count=3")),
            "deepseek2 layers=6 hidden=512 heads=8/8 head=192/128 ffn=0 vocab=1000 ctx=8192 "
            "moe=256/8x2048 shared=1x0 dense=3 mla=q1536/kv512/rope64/nope128/v128");
}

TEST(GgufArch, Qwen3NextLinearLayersAndSharedExpert) {
  EXPECT_EQ(summary(meta("qwen3next",
                         "ssm.conv_kernel=4 ssm.state_size=128 ssm.group_count=16 "
                         "ssm.time_step_rank=32 ssm.inner_size=4096 expert_count=512 "
                         "expert_used_count=10 expert_feed_forward_length=512 "
                         "expert_shared_feed_forward_length=512")),
            "qwen3next layers=6 hidden=512 heads=8/8 head=64 ffn=0 vocab=1000 ctx=8192 "
            "moe=512/10x512 shared=1x0 linear=every4 qk=16x128 v=32x128 conv=4");
}

TEST(GgufArch, Llama4ChunkedInterleavedWithSharedExpertTensor) {
  const GgufFile f =
      meta("llama4",
           "expert_count=128 expert_used_count=1 expert_feed_forward_length=8192 "
           "interleave_moe_layer_step=2 feed_forward_length=16384",
           {}, {{"blk.1.ffn_up_shexp.weight", {512, 8192}}, {"output.weight", {512, 1000}}});
  EXPECT_EQ(summary(f),
            "llama4 layers=6 hidden=512 heads=8/8 head=64 ffn=16384 vocab=1000 ctx=8192 "
            "swa=8192/4 moe=128/1x8192 shared=1x0 step=2");
  EXPECT_EQ(summary(meta("llama4", "attention.sliding_window=0")),
            "llama4 layers=6 hidden=512 heads=8/8 head=64 ffn=0 vocab=1000 ctx=8192");
}

TEST(GgufArch, PerLayerArraysTakeTheLargestAndNextnBlocksAreDropped) {
  EXPECT_EQ(summary(meta("glm4moe", "nextn_predict_layers=1",
                         {{"feed_forward_length", test::gguf_u32_array({0, 10944, 0, 0, 0, 0})},
                          {"attention.head_count_kv", test::gguf_u32_array({2, 2, 4, 2, 2, 2})}})),
            "glm4moe layers=5 hidden=512 heads=8/4 head=64 ffn=10944 vocab=1000 ctx=8192");
}

TEST(GgufArch, LeadingDenseLayersFromTensorsWhenTheKeyIsMissing) {
  EXPECT_EQ(summary(meta(
                "qwen3moe", "expert_count=8 expert_used_count=2 expert_feed_forward_length=64", {},
                {{"blk.0.ffn_up.weight", {512, 64}}, {"blk.1.ffn_up_exps.weight", {512, 64, 8}}})),
            "qwen3moe layers=6 hidden=512 heads=8/8 head=64 ffn=0 vocab=1000 ctx=8192 tied "
            "moe=8/2x64 dense=1");
}

TEST(GgufArch, Errors) {
  EXPECT_EQ(err(arch_from_gguf(meta("foo", ""), "f.gguf")),
            "f.gguf: metadata 'general.architecture': unsupported architecture 'foo' (supported: "
            "deepseek2, gemma3, glm4moe, gpt-oss, llama, llama4, mistral3, phi2, phi3, qwen2, "
            "qwen3, qwen3moe, qwen3next)");
  GgufFile f = meta("llama", "");
  f.metadata.erase(f.metadata.begin() + 1);  // llama.block_count
  EXPECT_EQ(err(arch_from_gguf(f, "f.gguf")),
            "f.gguf: metadata 'llama.block_count': required key is missing");
  EXPECT_EQ(err(arch_from_gguf(meta("llama", "", {{"attention.key_length", gguf_str("x")}}), "f")),
            "f: metadata 'llama.attention.key_length': expected an unsigned integer, got string");
  EXPECT_EQ(err(arch_from_gguf(meta("llama", "expert_count=8"), "f")),
            "f: metadata 'llama.expert_used_count': required key is missing");
  EXPECT_EQ(err(arch_from_gguf(meta("gemma3", ""), "f")),
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

fs::path bad_dir() { return fs::path(WORTHIT_TEST_DATA) / "bad" / "gguf"; }

/// A broken file and the whole message it must produce (after "PATH: ").
struct BadFile {
  std::string file;
  std::string message;
};

/// The table rows of tests/data/bad/gguf/README.md: "| `FILE` | what | `MESSAGE` |". The
/// README documents each file; reading the expectations from it keeps the two in step.
std::vector<BadFile> bad_files() {
  std::ifstream in(bad_dir() / "README.md");
  std::vector<BadFile> rows;
  for (std::string line; std::getline(in, line);) {
    const size_t file_end = line.find('`', 3);
    const size_t msg = line.rfind("| `");
    if (line.rfind("| `", 0) != 0 || file_end == std::string::npos || msg == 0) continue;
    rows.push_back({line.substr(3, file_end - 3), line.substr(msg + 3, line.size() - msg - 6)});
  }
  return rows;
}

class GgufBadFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(GgufBadFile, IsRejectedWithItsMessage) {
  const std::string p = (bad_dir() / GetParam().file).string();
  EXPECT_EQ(err(load_gguf_model(p)), p + ": " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Gguf, GgufBadFile, ::testing::ValuesIn(bad_files()),
                         [](const auto& p) { return fs::path(p.param.file).stem().string(); });

TEST(GgufBadFiles, EveryFileIsDocumentedAndRejected) {
  const std::vector<BadFile> rows = bad_files();
  int n = 0;
  for (const auto& e : fs::directory_iterator(bad_dir())) {
    if (e.path().extension() != ".gguf") continue;
    ++n;
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(
        std::any_of(rows.begin(), rows.end(), [&](const BadFile& r) { return r.file == name; }))
        << name << " has no row in README.md";
    Result<GgufModel> m = load_gguf_model(e.path().string());
    EXPECT_FALSE(m) << name;
  }
  EXPECT_EQ(n, static_cast<int>(rows.size()));
  EXPECT_GE(n, 25);
}

TEST(GgufParse, TruncatedAnywhereNeverCrashes) {
  // Every cut through the header, and a cut in the data, is an error; the whole file is valid.
  const GgufWriter w = llama(1);
  const std::vector<uint8_t> all = w.bytes();
  const std::span<const uint8_t> bytes(all);
  for (size_t n = 0; n <= w.header().size(); ++n) {
    EXPECT_FALSE(parse_gguf(bytes.first(n), n, "t.gguf")) << n;
  }
  EXPECT_FALSE(parse_gguf(bytes.first(all.size() - 1), all.size() - 1, "t.gguf"));
  EXPECT_TRUE(parse(all));
}

}  // namespace
}  // namespace worthit
