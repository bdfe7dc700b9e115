// SPDX-License-Identifier: MIT
// `worthit advise`: is each candidate machine worth it for a profile's workloads?
#include <fmt/format.h>

#include <iostream>

#include "advise.h"

namespace worthit::app {
namespace {

struct CmdArgs {
  AdviseArgs a;
  std::string candidates;
  bool md = false;
};

void print_reasons(const nlohmann::json& list, const char* head, bool md) {
  if (list.empty()) return;
  std::cout << (md ? fmt::format("\n*{}*\n\n", head) : fmt::format("  {}:\n", head));
  for (const auto& r : list)
    std::cout << fmt::format(fmt::runtime(md ? "- **{}**: {}\n" : "    - {}: {}\n"), r["workload"].get<std::string>(),
                             r["text"].get<std::string>());
}

void print_text(const nlohmann::json& doc, bool md) {
  const auto& p = doc["profile"];
  std::cout << fmt::format(fmt::runtime(md ? "# worthit advise: {}\n\n" : "worthit advise: {}\n"),
                           p["name"].get<std::string>());
  for (const auto& c : doc["candidates"]) {
    std::cout << fmt::format(fmt::runtime(md ? "\n## {}\n\n{}\n" : "\n{}\n  {}\n"), c["name"].get<std::string>(),
                             c["verdict"]["summary"].get<std::string>());
    print_reasons(c["verdict"]["worth_it_for"], "worth it for", md);
    print_reasons(c["verdict"]["not_worth_it_for"], "not worth it for", md);
  }
  std::cout << (md ? "\n## Decision tree\n\n" : "\nDecision tree\n");
  for (const auto& t : doc["decision_tree"])
    std::cout << fmt::format(fmt::runtime(md ? "- **{}** {} ({})\n" : "  {} -> {}\n      because {}\n"),
                             t["question"].get<std::string>(), t["answer"].get<std::string>(),
                             t["because"].get<std::string>());
  if (doc.contains("seed_agreement") && !doc["seed_agreement"].empty()) {
    std::cout << (md ? "\n## Against the seed's conclusions\n\n" : "\nAgainst the seed's conclusions\n");
    for (const auto& s : doc["seed_agreement"])
      std::cout << fmt::format(fmt::runtime(md ? "- {} **{}**: {} ({})\n" : "  [{}] {}: {}\n      {}\n"),
                               s["agrees"].get<bool>() ? "agrees" : "DISAGREES",
                               s["claim"].get<std::string>(), s["worthit_says"].get<std::string>(),
                               s["why"].get<std::string>());
  }
}

int run(CmdArgs& c) {
  if (!c.candidates.empty()) {
    c.a.candidates.clear();
    std::string cur;
    for (char ch : c.candidates + ",") {
      if (ch != ',') { cur += ch; continue; }
      if (!cur.empty()) c.a.candidates.push_back(cur);
      cur.clear();
    }
  }
  auto doc = build_advise(c.a);
  if (!doc) return report_error(doc.error());
  if (c.a.g.json) print_json("advise", *doc);
  else print_text(*doc, c.md);
  return kExitOk;
}

}  // namespace

void register_advise(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<CmdArgs>();
  CLI::App* cmd = app.add_subcommand("advise", "Is each candidate machine worth it for your workloads? Verdicts with reasons");
  add_profile_options(cmd, c->a);
  cmd->add_option("--candidates", c->candidates,
                  "Comma-separated system specs; 'owned' is the profile's machine, 'owned+rtx-5090' "
                  "adds a GPU to it, 'cloud:h100-sxm' rents one (default: the seed's devices and "
                  "alternatives)");
  cmd->add_flag("--md", c->md, "Markdown");
  add_global_options(cmd, c->a.g);
  cmd->callback([c, &exit_code] { exit_code = run(*c); });
}

}  // namespace worthit::app
