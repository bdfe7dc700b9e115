// SPDX-License-Identifier: MIT
// libFuzzer target for the GGUF header parser and the metadata -> architecture mapping.
// Build: cmake -DCMAKE_CXX_COMPILER=clang++ -DWORTHIT_FUZZ=ON
//        -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined (instruments the library)
// Run:   ./gguf_fuzz -max_total_time=60 fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/gguf.h"

namespace {

/// Touches every decoded value so that bad array bookkeeping shows up under ASan.
void walk(const worthit::GgufArray& a) {
  for (uint64_t i = 0; i < a.size && i < 64; ++i) {
    (void)a.string_at(i);
    (void)a.u64_at(i);
    (void)a.f64_at(i);
  }
  for (const worthit::GgufArray& sub : a.arrays) walk(sub);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  worthit::Result<worthit::GgufFile> f = worthit::parse_gguf(bytes, size, "fuzz.gguf");
  if (f) {
    for (const auto& [key, value] : f->metadata) {
      (void)value.as_u64();
      (void)value.as_f64();
      if (const worthit::GgufArray* a = value.as_array()) walk(*a);
    }
    (void)f->tensor_bytes();
    worthit::Result<worthit::ModelArch> arch = worthit::arch_from_gguf(*f, "fuzz.gguf");
    if (!arch) (void)arch.error().message();
  } else {
    (void)f.error().message();
  }
  // The same bytes as the first half of a file twice as long: the "read more" path.
  uint64_t need = 0;
  worthit::Result<worthit::GgufFile> prefix =
      worthit::parse_gguf(bytes.first(size / 2), size, "fuzz.gguf", &need);
  if (!prefix && need > 0 && need <= size / 2) __builtin_trap();  // need must grow the prefix
  return 0;
}
