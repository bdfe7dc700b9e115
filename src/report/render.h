// SPDX-License-Identifier: MIT
// The advise document (docs/advise-json.md) as a self-contained HTML page with inline SVG charts,
// or as Markdown. Every number is marked measured or predicted and cites its source.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/error.h"

namespace worthit::report {

/// Checks the fields the renderers read; errors name the JSON path ("candidates[2].verdict.summary").
Status validate(const nlohmann::json& doc);

/// The whole page: no scripts, no external resources (links in the footnotes only).
Result<std::string> render_html(const nlohmann::json& doc);

/// The same content as Markdown (tables, no charts).
Result<std::string> render_markdown(const nlohmann::json& doc);

}  // namespace worthit::report
