// SPDX-License-Identifier: MIT
// Derives a model's tensor inventory from its architecture and a llama.cpp quantization
// recipe (file type), following llama.cpp's llama_tensor_get_type() rules.
#pragma once

#include <vector>

#include "model/arch.h"
#include "model/quant.h"
#include "model/tensor.h"

namespace worthit {

/// Every tensor of the text model as llama.cpp's converter and quantizer would write it:
/// names, shapes, and the type chosen per tensor for `ftype`. Vision towers are not included
/// (llama.cpp keeps them in a separate mmproj file); see vision_tensors().
std::vector<TensorInfo> derive_tensors(const ModelArch& arch, FileType ftype);

/// The vision encoder/projector as one F16 tensor (ollama packs it into the model blob).
/// Empty when the model has no vision tower.
std::vector<TensorInfo> vision_tensors(const ModelArch& arch);

/// Sum of tensor bytes.
uint64_t total_bytes(const std::vector<TensorInfo>& tensors);

/// Parameter count (elements) of the tensors.
uint64_t total_params(const std::vector<TensorInfo>& tensors);

/// The GGML type llama.cpp picks for one quantizable tensor; exposed for tests.
/// `i_attn_v` is the running index of attn_v tensors, `n_attn_v` their count.
GgmlType choose_tensor_type(const ModelArch& arch, FileType ftype, const TensorInfo& t,
                            int i_attn_v, int n_attn_v);

}  // namespace worthit
