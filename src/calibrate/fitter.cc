// SPDX-License-Identifier: MIT
#include "calibrate/fitter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <set>

namespace worthit {
namespace {

/// Parameters some sample depends on (a backend nobody measured stays at its prior).
std::vector<EfficiencyParam> used_params(const std::vector<Sample>& samples) {
  std::set<std::string> backends;
  bool cpu = false, unified = false, vram = false, ollama = false;
  for (const auto& s : samples) {
    ollama = ollama || (s.decode && s.fit.runtime == Runtime::Ollama);
    for (const auto& d : s.fit.slots) {
      if (d.is_gpu) backends.insert(backend_name(d.backend));
      const bool uni = s.fit.pools[d.pool].kind == "unified";
      (d.is_gpu ? (uni ? unified : vram) : cpu) = true;
    }
  }
  std::vector<EfficiencyParam> out;
  for (const auto& p : efficiency_params()) {
    const std::string n = p.name;
    bool keep = n == "gpu_layer_us" || n == "token_ms" || n == "pcie" || (cpu && n.ends_with("_cpu")) ||
                n == "cpu_layer_us";
    for (const auto& b : backends) keep = keep || n.ends_with("_" + b);
    if (n == "metal_layer_us") keep = backends.count("metal") > 0;
    if (n == "ollama_token_ms") keep = ollama;
    if (n.starts_with("power_")) keep = false;  // fitted by fit_power
    if (n.starts_with("kq_") || n == "gpu_stream" || n == "expert_locality") keep = !backends.empty();
    if (n == "bw_cuda_vram") keep = backends.count("cuda") && vram;
    if (n == "bw_cuda_unified") keep = backends.count("cuda") && unified;
    if (keep) out.push_back(p);
  }
  return out;
}

using Point = std::vector<double>;

Efficiency at(const Efficiency& base, const std::vector<EfficiencyParam>& ps, const Point& x) {
  Efficiency e = base;
  for (size_t i = 0; i < ps.size(); ++i)
    e.*ps[i].field = ps[i].lo + std::clamp(x[i], 0.0, 1.0) * (ps[i].hi - ps[i].lo);
  return e;
}

/// Nelder-Mead on the unit cube.
Point nelder_mead(const std::function<double(const Point&)>& f, Point x0, int max_evals, int* evals) {
  const size_t n = x0.size();
  std::vector<Point> s(n + 1, x0);
  for (size_t i = 0; i < n; ++i) s[i + 1][i] = x0[i] > 0.5 ? x0[i] - 0.15 : x0[i] + 0.15;
  std::vector<double> v(n + 1);
  int count = 0;
  auto eval = [&](const Point& p) { ++count; return f(p); };
  for (size_t i = 0; i <= n; ++i) v[i] = eval(s[i]);
  while (count < max_evals) {
    std::vector<size_t> idx(n + 1);
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    const size_t best = idx.front(), worst = idx.back(), second = idx[n - 1];
    if (v[worst] - v[best] < 1e-9) break;
    Point c(n, 0.0);
    for (size_t i : idx)
      if (i != worst)
        for (size_t k = 0; k < n; ++k) c[k] += s[i][k] / double(n);
    auto along = [&](double t) {
      Point p(n);
      for (size_t k = 0; k < n; ++k) p[k] = std::clamp(c[k] + t * (s[worst][k] - c[k]), 0.0, 1.0);
      return p;
    };
    Point r = along(-1.0);
    const double vr = eval(r);
    if (vr < v[best]) {
      Point e = along(-2.0);
      const double ve = eval(e);
      s[worst] = ve < vr ? e : r;
      v[worst] = std::min(ve, vr);
    } else if (vr < v[second]) {
      s[worst] = r;
      v[worst] = vr;
    } else {
      Point k = along(0.5);
      const double vk = eval(k);
      if (vk < v[worst]) {
        s[worst] = k;
        v[worst] = vk;
      } else {
        for (size_t i : idx) {
          if (i == best) continue;
          for (size_t d = 0; d < n; ++d) s[i][d] = s[best][d] + 0.5 * (s[i][d] - s[best][d]);
          v[i] = eval(s[i]);
        }
      }
    }
  }
  if (evals) *evals = count;
  return s[std::min_element(v.begin(), v.end()) - v.begin()];
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * double(v.size() - 1) + 0.5))];
}

}  // namespace

double median_abs(std::vector<double> v) {
  if (v.empty()) return 0;
  for (double& x : v) x = std::abs(x);
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double max_abs(const std::vector<double>& errors) {
  double m = 0;
  for (double x : errors) m = std::max(m, std::abs(x));
  return m;
}

double log_cost(const std::vector<Sample>& samples, const Efficiency& e) {
  double sum = 0;
  for (const auto& s : samples) {
    const double d = std::log(predict_sample(s, e) / s.measured_tps);
    sum += d * d;
  }
  return samples.empty() ? 0 : sum / double(samples.size());
}

Efficiency fit_efficiency(const std::vector<Sample>& samples, const Efficiency& start,
                          int max_evals, int* evaluations) {
  const auto ps = used_params(samples);
  Point x0;
  for (const auto& p : ps) x0.push_back((start.*p.field - p.lo) / (p.hi - p.lo));
  auto cost = [&](const Point& x) { return log_cost(samples, at(start, ps, x)); };
  Point best = nelder_mead(cost, x0, max_evals, evaluations);
  // A restart from the optimum escapes a collapsed simplex.
  int more = 0;
  best = nelder_mead(cost, best, max_evals / 2, &more);
  if (evaluations) *evaluations += more;
  return at(start, ps, best);
}

std::vector<std::string> local_param_names(const std::vector<Sample>& samples) {
  std::set<std::string> names = {"token_ms"};
  for (const auto& s : samples)
    for (const auto& d : s.fit.slots) {
      if (!d.is_gpu) {
        names.insert({"bw_cpu", "flops_cpu", "cpu_layer_us"});
        continue;
      }
      const std::string b = backend_name(d.backend);
      const bool uni = s.fit.pools[d.pool].kind == "unified";
      names.insert(b == "cuda" ? (uni ? "bw_cuda_unified" : "bw_cuda_vram") : "bw_" + b);
      names.insert("flops_" + b);
      names.insert(d.backend == Backend::Metal ? "metal_layer_us" : "gpu_layer_us");
    }
  return {names.begin(), names.end()};
}

Efficiency fit_local(const std::vector<Sample>& samples, const Efficiency& start,
                     const std::vector<std::string>& names, double weight, int max_evals) {
  std::vector<EfficiencyParam> ps;
  for (const auto& p : efficiency_params())
    if (std::find(names.begin(), names.end(), p.name) != names.end()) ps.push_back(p);
  if (ps.empty() || samples.empty()) return start;
  Point x0;
  for (const auto& p : ps) x0.push_back((start.*p.field - p.lo) / (p.hi - p.lo));
  auto cost = [&](const Point& x) {
    const Efficiency e = at(start, ps, x);
    double sum = 0;
    for (const auto& s : samples) {
      const double d = std::log(predict_sample(s, e) / s.measured_tps);
      sum += d * d;
    }
    double pull = 0;  // each parameter's log distance from the shipped value
    for (const auto& p : ps) {
      const double d = std::log(std::max(e.*p.field, 1e-12) / std::max(start.*p.field, 1e-12));
      pull += d * d;
    }
    return sum / double(samples.size()) + weight * pull;
  };
  Point best = nelder_mead(cost, x0, max_evals, nullptr);
  best = nelder_mead(cost, best, max_evals / 2, nullptr);
  return at(start, ps, best);
}

Efficiency fit_power(const std::vector<Sample>& samples, const Efficiency& e) {
  std::vector<const Sample*> measured;
  // Devices without a maximum draw in the catalog give no prediction to fit.
  for (const auto& s : samples)
    if (s.measured_power_w > 0 && predict_power(s, e) > 0) measured.push_back(&s);
  Efficiency best = e;
  if (measured.empty()) return best;
  double best_cost = 1e300;
  Efficiency t = e;
  // Coarse grid: the three fractions are bounded and the cost is cheap.
  for (int b = 1; b <= 20; ++b)
    for (int w = 0; w <= 16; ++w)
      for (int i = 1; i <= 10; ++i) {
        t.power_busy = 0.05 * b;
        t.power_wait = 0.05 * w;
        t.power_idle = 0.04 * i;
        double cost = 0;
        for (const Sample* s : measured) {
          const double d = std::log(std::max(predict_power(*s, t), 1e-3) / s->measured_power_w);
          cost += d * d;
        }
        if (cost < best_cost) {
          best_cost = cost;
          best = t;
        }
      }
  return best;
}

FitReport calibrate(const std::vector<Sample>& samples, const Efficiency& start, int folds,
                    int max_evals) {
  FitReport r;
  r.cost_before = log_cost(samples, start);
  r.fitted = fit_efficiency(samples, start, max_evals, &r.evaluations);
  r.cost_after = log_cost(samples, r.fitted);
  r.fitted = fit_power(samples, r.fitted);
  for (const auto& s : samples)
    if (s.measured_power_w > 0 && predict_power(s, r.fitted) > 0)
      r.power.push_back({s.case_id, "power_w", s.system, true, false, s.measured_power_w,
                         predict_power(s, r.fitted)});
  // Folds by case, so that every test of one measured case is held out together.
  auto fold_of = [&](const Sample& s) {
    return static_cast<int>(std::hash<std::string>{}(s.file + "/" + s.case_id) % folds);
  };
  std::vector<double> tg, pp, tg_ratio, pp_ratio;
  for (int k = 0; k < folds; ++k) {
    std::vector<Sample> train, test;
    for (const auto& s : samples) (fold_of(s) == k ? test : train).push_back(s);
    if (test.empty()) continue;
    // Each fold starts from the same point as the full fit, never from the full fit's answer,
    // so that the held-out cases leave no trace in their own prediction.
    const Efficiency e = fit_efficiency(train, start, max_evals);
    for (const auto& s : test) {
      Residual res{s.case_id, s.test, s.system, s.decode, true, s.measured_tps, predict_sample(s, e)};
      (s.decode ? tg : pp).push_back(res.error());
      (s.decode ? tg_ratio : pp_ratio).push_back(s.measured_tps / res.predicted_tps);
      r.residuals.push_back(res);
    }
  }
  r.tg_median_abs = median_abs(tg);
  r.pp_median_abs = median_abs(pp);
  r.tg_low = quantile(tg_ratio, 0.1);
  r.tg_high = quantile(tg_ratio, 0.9);
  r.pp_low = quantile(pp_ratio, 0.1);
  r.pp_high = quantile(pp_ratio, 0.9);
  return r;
}

}  // namespace worthit
