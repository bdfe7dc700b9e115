// SPDX-License-Identifier: MIT
// worthit: will this model run on this machine, how fast, and is new hardware worth it?
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common.h"

namespace {

/// llama.cpp spells several long options with one dash ("-ngl 40"); CLI11 reads one-dash
/// names as bundles of one-letter flags, so they are rewritten to their long forms first.
std::vector<std::string> normalize_args(int argc, char** argv) {
  static const std::map<std::string, std::string> kLlamaStyle = {
      {"-ngl", "--n-gpu-layers"}, {"-ts", "--tensor-split"}, {"-ot", "--override-tensor"},
      {"-ctk", "--cache-type-k"}, {"-ctv", "--cache-type-v"}, {"-np", "--parallel"},
      {"-ub", "--ubatch-size"},   {"-fa", "--flash-attn"},   {"-nkvo", "--no-kv-offload"},
      {"-mg", "--main-gpu"}, {"-fit", "--fit"}, {"-fitt", "--fit-target"},      {"-ncmoe", "--n-cpu-moe"}, {"-cmoe", "--cpu-moe"}};
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    std::string head = a.substr(0, eq);
    auto it = kLlamaStyle.find(head);
    if (it != kLlamaStyle.end()) a = it->second + (eq == std::string::npos ? "" : a.substr(eq));
    out.push_back(a);
  }
  std::reverse(out.begin(), out.end());  // CLI11 parses a reversed vector
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace worthit::app;
  try {
    CLI::App app{"worthit: will this model run on this machine, how fast, and is a new device "
                 "worth it?"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("worthit ") + WORTHIT_VERSION);
    app.footer("Exit codes: 0 ok, 1 failure, 2 usage error. Sizes: GB = 10^9 bytes, "
               "GiB/MiB = 2^30/2^20 bytes; bandwidth in decimal GB/s.");
    int exit_code = kExitOk;
    register_systems(app, exit_code);
    register_models(app, exit_code);
    register_fit(app, exit_code);
    std::vector<std::string> args = normalize_args(argc, argv);
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
