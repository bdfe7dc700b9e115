// SPDX-License-Identifier: MIT
// The model catalog: data/models/*.toml, each an architecture.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "model/arch.h"

namespace worthit {

/// Reads one model file; errors name file:line: field.
Result<ModelArch> load_model_file(const std::string& path);

/// All models of a catalog directory (sorted by id). Fails on the first bad file, on a
/// duplicate id or alias.
Result<std::vector<ModelArch>> load_model_catalog(const std::string& dir);

/// Finds a model by id or alias (case-insensitive); unknown ids get "did you mean".
Result<ModelArch> find_model(const std::vector<ModelArch>& catalog, const std::string& id);

/// Checks the invariants of an architecture (positive sizes, heads divide, MoE consistent).
Status validate_arch(const ModelArch& a, const std::string& where);

}  // namespace worthit
