// SPDX-License-Identifier: MIT
// Maps the model names other tools print (GGUF file names, ollama tags, llama.cpp's model
// description) onto catalog model ids and llama.cpp file types. Pure: the catalog is passed in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/arch.h"

namespace worthit::store {

/// The catalog id and quantization a foreign name was mapped to; empty when unknown, with a
/// note saying why (kept in the run's notes, never an error).
struct ModelMatch {
  std::string model;  ///< catalog id, or "" when no single entry matches
  std::string quant;  ///< llama.cpp file type name ("Q4_K_M"), or ""
  std::string note;   ///< how the match was made, or why it was not
};

/// Splits a name into lower-case word and number tokens: "Llama-3.3-70B" and "llama3.3:70b"
/// both give [llama, 3, 3, 70, b].
std::vector<std::string> name_tokens(const std::string& name);

/// Maps a GGUF file name ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf") or an ollama model name
/// ("llama3.3:70b-instruct-q4_K_M"): the catalog id or alias whose tokens appear as one run in
/// the name's tokens, the longest winning; a tie is ambiguous and maps to nothing.
ModelMatch match_model_name(const std::vector<ModelArch>& catalog, const std::string& name);

/// A llama.cpp file type named inside a file or tag name ("...-Q4_K_M.gguf", ":20b-mxfp4"), or "".
std::string quant_in_name(const std::string& name);

/// llama.cpp's file type description ("Q4_K - Medium", "MXFP4 MoE", "IQ4_XS - 4.25 bpw",
/// "all F32", with an optional " (guessed)") as a file type name ("Q4_K_M"), or "".
std::string quant_from_ftype_desc(const std::string& desc);

/// Maps a llama-bench result: first by its file name, then by llama.cpp's model description
/// "<arch> <size> <ftype>" (`model_type`) and the parameter count (`model_n_params`): the one
/// catalog entry of that architecture within 5% of that count.
ModelMatch match_llama_bench_model(const std::vector<ModelArch>& catalog,
                                   const std::string& model_filename, const std::string& model_type,
                                   int64_t model_n_params);

}  // namespace worthit::store
