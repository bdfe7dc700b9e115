// SPDX-License-Identifier: MIT
// Reads the fine-tuning constants (data/train.toml). Kept apart from advise/train.cc, which
// does no I/O.
#pragma once

#include <string>

#include "advise/train.h"
#include "core/error.h"

namespace worthit {

/// Reads data/train.toml: `mfu` (0 < mfu <= 1), `framework_overhead` (a size with its unit),
/// `nf4_bits_per_param`, `sources`. Errors name file:line: field.
Result<TrainConstants> load_train_constants(const std::string& path);

}  // namespace worthit
