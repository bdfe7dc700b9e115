// SPDX-License-Identifier: MIT
// Maps the name a driver reports ("NVIDIA GeForce RTX 4090", "NVIDIA H100 80GB HBM3") onto a
// catalog device id, so that `worthit probe --save` can write `[[gpu]] device = "rtx-4090"`.
#pragma once

#include <string>

#include "core/error.h"
#include "core/units.h"
#include "hw/catalog.h"

namespace worthit::probe {

/// The catalog GPU whose name or an alias has the same model words as `reported` ("ti",
/// "super" and model numbers must all agree; vendor words, memory sizes and form-factor words
/// need not). A catalog "PCIe" part needs "PCIe" in the reported name, and a known `memory`
/// (0: unknown) must be within 15% of the catalog capacity. Fails naming the reported name
/// when no device or more than one fits.
Result<std::string> match_gpu(const HwCatalog& cat, const std::string& reported, Bytes memory);

}  // namespace worthit::probe
