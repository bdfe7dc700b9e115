// SPDX-License-Identifier: MIT
// `worthit report`: the advise document as a self-contained HTML page with SVG charts, or Markdown.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "advise.h"
#include "core/text.h"
#include "report/render.h"

namespace worthit::app {
namespace {

struct ReportArgs {
  AdviseArgs a;
  std::string candidates, from_json, html, md;
};

Result<nlohmann::json> read_doc(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(path, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    return fail(path, fmt::format("not JSON: {}", e.what()));
  }
}

/// Writes through a temporary file in the same directory, so a failure never leaves half a page.
Status write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(path, "cannot write the file");
    out << text;
    if (!out.flush()) return fail(path, "write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(path, "cannot write the file: " + ec.message());
  return Ok{};
}

int run(ReportArgs& r) {
  if (r.html.empty() == r.md.empty())
    return report_error(Error{"--html", "pass exactly one of --html FILE and --md FILE", ""});
  if (!r.from_json.empty() && (!r.a.preset.empty() || !r.a.profile.empty()))
    return report_error(Error{"--from-json", "--from-json renders a saved document; drop --preset/--profile", ""});
  for (const auto& c : split(r.candidates, ','))
    if (!trim(c).empty()) r.a.candidates.emplace_back(trim(c));
  Result<nlohmann::json> doc = r.from_json.empty() ? build_advise(r.a) : read_doc(r.from_json);
  if (!doc) return report_error(doc.error());
  auto page = r.html.empty() ? report::render_markdown(*doc) : report::render_html(*doc);
  if (!page) return report_error(page.error());
  const std::string out = r.html.empty() ? r.md : r.html;
  if (auto s = write_file(out, *page); !s) return report_error(s.error());
  std::cout << fmt::format("wrote {} ({} bytes)\n", out, page->size());
  return kExitOk;
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto r = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report", "The advise verdicts, the seed's tables and charts as one HTML page (or Markdown)");
  add_profile_options(cmd, r->a);
  cmd->add_option("--candidates", r->candidates, "As for advise");
  cmd->add_option("--from-json", r->from_json, "Render a saved `worthit advise --json` document");
  cmd->add_option("--html", r->html, "Write a self-contained HTML page here");
  cmd->add_option("--md", r->md, "Write Markdown here");
  add_global_options(cmd, r->a.g);
  cmd->callback([r, &exit_code] { exit_code = run(*r); });
}

}  // namespace worthit::app
