// SPDX-License-Identifier: MIT
// End to end: a GGUF file with the real tensor inventory of Llama 3.1 8B Q4_K_M (sparse, so
// 4.9 GB on paper and a few KiB on disk) is read and placed exactly like the catalog model.
#include <gtest/gtest.h>

#include <filesystem>

#include "hw/catalog.h"
#include "model/gguf.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "plan/fit.h"
#include "support/gguf_writer.h"

namespace worthit {
namespace {

TEST(GgufFit, RealInventoryPlacesLikeTheCatalogModel) {
  auto models = load_model_catalog(std::string(WORTHIT_DATA_DIR) + "/models");
  ASSERT_TRUE(models);
  const ModelArch arch = *find_model(*models, "llama-3.1-8b");
  const std::vector<TensorInfo> tensors = derive_tensors(arch, FileType::Q4_K_M);

  test::GgufWriter w(3);
  w.set_str("general.architecture", "llama");
  w.set_str("general.name", "Llama 3.1 8B");
  w.set_u32("general.file_type", static_cast<uint32_t>(FileType::Q4_K_M));
  w.set_u32("llama.block_count", arch.n_layers);
  w.set_u32("llama.embedding_length", static_cast<uint32_t>(arch.hidden));
  w.set_u32("llama.feed_forward_length", static_cast<uint32_t>(arch.ffn));
  w.set_u32("llama.attention.head_count", arch.n_heads);
  w.set_u32("llama.attention.head_count_kv", arch.n_kv_heads);
  w.set_u32("llama.context_length", static_cast<uint32_t>(arch.context_max));
  w.set_u32("llama.vocab_size", static_cast<uint32_t>(arch.vocab));
  for (const auto& t : tensors) {
    std::vector<uint64_t> ne(t.ne.begin(), t.ne.end());
    while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
    w.tensor(t.name, ne, t.type);
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / "worthit-llama-3.1-8b-q4_k_m.gguf").string();
  ASSERT_TRUE(w.write(path));

  auto g = load_gguf_model(path);
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_EQ(g->tensors.size(), tensors.size());
  EXPECT_EQ(g->tensor_bytes, total_bytes(tensors));
  EXPECT_NEAR(double(g->tensor_bytes) / 1e9, 4.92, 0.03 * 4.92);  // the real file: 4.92 GB
  ASSERT_TRUE(g->file_type);
  EXPECT_EQ(*g->file_type, FileType::Q4_K_M);

  auto hw = load_hw_catalog(WORTHIT_DATA_DIR);
  ASSERT_TRUE(hw);
  const System sys = *resolve_system(*hw, "rtx-4090");
  FitOptions o;
  o.n_ctx = 8192;
  auto from_file = fit(sys, g->arch, g->tensors, o);
  auto from_catalog = fit(sys, arch, tensors, o);
  ASSERT_TRUE(from_file && from_catalog);
  ASSERT_EQ(from_file->pools.size(), from_catalog->pools.size());
  for (size_t i = 0; i < from_file->pools.size(); ++i) {
    EXPECT_EQ(from_file->pools[i].weights.base(), from_catalog->pools[i].weights.base()) << i;
    EXPECT_EQ(from_file->pools[i].kv.base(), from_catalog->pools[i].kv.base()) << i;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace worthit
