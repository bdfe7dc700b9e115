// SPDX-License-Identifier: MIT
// The catalog of non-LLM models that stay resident next to an LLM (data/resident/*.toml):
// image generators, speech-to-text, text-to-speech, embedding and vision models.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/units.h"

namespace worthit {

/// What a resident model does.
enum class ResidentKind { Llm, Image, SpeechToText, TextToSpeech, Vision, Embedding };

/// "llm", "image", "stt", "tts", "vision", "embedding" and back.
Result<ResidentKind> parse_resident_kind(const std::string& s);
const char* resident_kind_name(ResidentKind k);

/// One catalog entry. `memory` is what the source says the model needs resident;
/// `memory_scope` says whether that is a runtime figure ("required") or weights only.
struct ResidentEntry {
  std::string id, name, file;
  ResidentKind kind = ResidentKind::Image;
  double params = 0;        ///< parameter count (0: not given)
  Bytes memory;
  std::string memory_scope;  ///< "required" (runtime VRAM) or "weights"
  std::string precision;     ///< "bf16", "fp8", "fp32", ...
  std::vector<std::string> sources;
};

/// Reads one file; errors name file:line: field.
Result<ResidentEntry> load_resident_file(const std::string& path);
/// Every *.toml of `dir`, sorted by id; duplicate ids are errors.
Result<std::vector<ResidentEntry>> load_resident_catalog(const std::string& dir);
/// Finds an entry by id (case-insensitive), with "did you mean".
Result<ResidentEntry> find_resident(const std::vector<ResidentEntry>& cat, const std::string& id);

}  // namespace worthit
