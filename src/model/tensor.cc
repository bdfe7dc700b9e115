// SPDX-License-Identifier: MIT
#include "model/tensor.h"

#include <charconv>
#include <string_view>

namespace worthit {

uint64_t TensorInfo::bytes() const {
  return ggml_row_bytes(type, ne[0]) * ne[1] * ne[2] * ne[3];
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

/// Role of a per-block tensor from the part after "blk.N.".
TensorRole block_role(std::string_view rest) {
  if (contains(rest, "_exps")) return TensorRole::FfnExperts;
  if (contains(rest, "_shexp") || starts_with(rest, "ffn_gate_inp") ||
      starts_with(rest, "exp_probs"))
    return TensorRole::FfnShared;
  if (contains(rest, "norm")) return TensorRole::Norm;
  if (starts_with(rest, "ffn_")) return TensorRole::FfnDense;
  if (starts_with(rest, "attn_") || starts_with(rest, "ssm_") || starts_with(rest, "time_mix"))
    return TensorRole::Attention;
  return TensorRole::Other;
}

}  // namespace

void classify_tensor(TensorInfo& t) {
  std::string_view n = t.name;
  t.layer = -1;
  if (starts_with(n, "blk.")) {
    std::string_view rest = n.substr(4);
    int il = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), il);
    if (ec == std::errc() && ptr < rest.data() + rest.size() && *ptr == '.') {
      t.layer = il;
      t.role = block_role(rest.substr(static_cast<size_t>(ptr - rest.data()) + 1));
      return;
    }
    t.role = TensorRole::Other;
    return;
  }
  if (starts_with(n, "token_embd.")) t.role = TensorRole::TokenEmbd;
  else if (starts_with(n, "output_norm")) t.role = TensorRole::OutputNorm;
  else if (starts_with(n, "output.")) t.role = TensorRole::Output;
  else if (starts_with(n, "v.") || starts_with(n, "mm.") || starts_with(n, "vision"))
    t.role = TensorRole::Vision;
  else t.role = TensorRole::Other;
}

}  // namespace worthit
