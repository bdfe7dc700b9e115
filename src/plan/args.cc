// SPDX-License-Identifier: MIT
// llama.cpp / llama-bench flags as written in published measurements.
#include <fmt/format.h>

#include <map>
#include <vector>

#include "core/text.h"
#include "plan/fit.h"

namespace worthit {
namespace {

Result<int64_t> int_arg(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return static_cast<int64_t>(n);
  } catch (const std::exception&) {
    return fail(flag, fmt::format("expected an integer, got '{}'", v));
  }
}

/// Integer flags and the option each sets.
struct IntFlag {
  const char* short_name;
  const char* long_name;
  void (*set)(FitOptions&, int64_t);
};
const std::vector<IntFlag>& int_flags() {
  static const std::vector<IntFlag> t = {
      {"-ngl", "--n-gpu-layers", [](FitOptions& o, int64_t n) { o.n_gpu_layers = static_cast<int>(n); }},
      {"-c", "--ctx-size", [](FitOptions& o, int64_t n) { o.n_ctx = n; }},
      {"-b", "--batch-size", [](FitOptions& o, int64_t n) { o.n_batch = static_cast<int>(n); }},
      {"-ub", "--ubatch-size", [](FitOptions& o, int64_t n) { o.n_ubatch = static_cast<int>(n); }},
      {"-np", "--parallel", [](FitOptions& o, int64_t n) { o.n_parallel = static_cast<int>(n); }},
      {"-ncmoe", "--n-cpu-moe", [](FitOptions& o, int64_t n) { o.n_cpu_moe = static_cast<int>(n); }},
  };
  return t;
}

Status apply(const std::string& flag, const std::string& v, FitOptions& o) {
  for (const auto& f : int_flags()) {
    if (flag != f.short_name && flag != f.long_name) continue;
    WORTHIT_TRY(n, int_arg(flag, v));
    f.set(o, n);
    return Ok{};
  }
  if (flag == "-fa" || flag == "--flash-attn") {
    const std::string x = to_lower(v);
    if (x == "1" || x == "on" || x == "true") o.flash_attn = FlashAttn::On;
    else if (x == "0" || x == "off" || x == "false") o.flash_attn = FlashAttn::Off;
    else if (x == "auto") o.flash_attn = FlashAttn::Auto;
    else return fail(flag, fmt::format("expected on, off or auto, got '{}'", v));
  } else if (flag == "-ctk" || flag == "--cache-type-k" || flag == "-ctv" || flag == "--cache-type-v") {
    auto t = parse_ggml_type(v);
    if (!t) return fail(flag, t.error().what, t.error().hint);
    const bool is_k = flag == "-ctk" || flag == "--cache-type-k";
    (is_k ? o.type_k : o.type_v) = *t;
  } else if (flag == "-ts" || flag == "--tensor-split") {
    o.tensor_split.clear();
    for (const auto& part : split(v, v.find('/') != std::string::npos ? '/' : ',')) {
      try {
        size_t used = 0;
        const double x = std::stod(part, &used);
        if (used != part.size() || x < 0) throw std::invalid_argument(part);
        o.tensor_split.push_back(x);
      } catch (const std::exception&) {
        return fail(flag, fmt::format("expected numbers like 3,1, got '{}'", v));
      }
    }
  } else if (flag == "-ot" || flag == "--override-tensor") {
    for (const auto& rule : split(v, ',')) {
      const auto eq = rule.rfind('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == rule.size())
        return fail(flag, fmt::format("expected REGEX=DEVICE, got '{}'", rule));
      o.overrides.push_back({rule.substr(0, eq), rule.substr(eq + 1)});
    }
  } else {
    return fail(flag, "unknown flag", "worthit reads -ngl -c -b -ub -np -fa -ctk -ctv -ts -ot -ncmoe");
  }
  return Ok{};
}

}  // namespace

Result<FitOptions> parse_runtime_args(const std::vector<std::string>& args, FitOptions o) {
  static const std::map<std::string, bool> kIgnored = {  // flag -> takes a value
      {"-p", true}, {"-n", true}, {"-r", true}, {"-t", true}, {"-o", true}, {"-mmp", true},
      {"-dio", true}, {"-m", true}, {"--no-mmap", false}, {"-nkvo", false},
      {"--cpu-moe", false}, {"-cmoe", false}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "-nkvo" || flag == "--no-kv-offload") {
      o.kv_offload = false;
      continue;
    }
    if (flag == "--cpu-moe" || flag == "-cmoe") {
      o.n_cpu_moe = 1 << 20;
      continue;
    }
    auto ig = kIgnored.find(flag);
    if (ig != kIgnored.end()) {
      i += ig->second ? 1 : 0;
      continue;
    }
    if (i + 1 >= args.size()) return fail(flag, "missing value");
    if (auto s = apply(flag, args[i + 1], o); !s) return fail(s.error());
    ++i;
  }
  return o;
}

}  // namespace worthit
