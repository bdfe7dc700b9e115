// SPDX-License-Identifier: MIT
// Hugging Face transformers config.json -> ModelArch, for models without a GGUF file at hand.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/arch.h"

namespace worthit {

/// Reads a config.json. The architecture comes from `architectures[0]` (or `model_type`) and
/// is named as llama.cpp's GGUF `general.architecture` would name it; multimodal wrappers
/// (Gemma 3, Mistral 3, Llama 4) are read from their `text_config`. The id is the parent
/// directory's name for a file called config.json, else the file name without ".json".
/// Malformed JSON, an unsupported architecture, or a missing or ill-typed field is an error
/// naming the path and the field ("cfg.json: text_config.num_hidden_layers: ...").
Result<ModelArch> arch_from_hf_config(const std::string& path);

/// Same, for JSON text in memory; `where` names it in errors, `id` becomes the id and name.
Result<ModelArch> arch_from_hf_json(std::string_view text, const std::string& where,
                                    const std::string& id);

/// HF architecture class names understood, sorted ("Gemma3ForConditionalGeneration", ...).
const std::vector<std::string>& hf_supported_architectures();

}  // namespace worthit
