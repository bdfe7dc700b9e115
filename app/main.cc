// SPDX-License-Identifier: MIT
// worthit: will this model run on this machine, how fast, and is new hardware worth it?
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "common.h"
#include "core/text.h"

namespace {
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace worthit::app;
  try {
    CLI::App app{"worthit: will this model run on this machine, how fast, and is a new device "
                 "worth it?"};
    app.name("worthit");
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("worthit ") + WORTHIT_VERSION);
    app.footer("Exit codes: 0 ok, 1 failure, 2 usage error. Sizes: GB = 10^9 bytes, "
               "GiB/MiB = 2^30/2^20 bytes; bandwidth in decimal GB/s.");
    int exit_code = kExitOk;
    register_systems(app, exit_code);
    register_models(app, exit_code);
    register_fit(app, exit_code);
    register_predict(app, exit_code);
    register_compare(app, exit_code);
    register_calibrate(app, exit_code);
    register_sweep(app, exit_code);
    register_train(app, exit_code);
    register_bench(app, exit_code);
    register_results(app, exit_code);
    register_import(app, exit_code);
    register_probe(app, exit_code);
    register_advise(app, exit_code);
    register_report(app, exit_code);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
      std::vector<std::string> names;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        names.push_back(sub->get_name());
      if (std::find(names.begin(), names.end(), args[0]) == names.end()) {
        const std::string hint = worthit::did_you_mean(args[0], names);
        report_error(worthit::Error{"", "unknown command '" + args[0] + "'",
                                    hint.empty() ? "commands: " + join(names) : hint});
        return kExitUsage;
      }
    }
    args = normalize_llama_flags(args);
    std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      return rc == 0 ? kExitOk : kExitUsage;
    }
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "worthit: internal error: " << e.what() << "\n";
    return kExitFailure;
  } catch (...) {
    std::cerr << "worthit: internal error\n";
    return kExitFailure;
  }
}
