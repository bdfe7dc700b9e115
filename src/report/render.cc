// SPDX-License-Identifier: MIT
#include "report/render.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "report/svg.h"

namespace worthit::report {
namespace {

using json = nlohmann::json;
using svg::escape;

// ---------------------------------------------------------------- validation

const char* type_name(json::value_t t) {
  switch (t) {
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::boolean: return "true or false";
    default: return "a number";
  }
}

bool is(const json& v, json::value_t t) {
  if (t == json::value_t::number_float) return v.is_number();
  return v.type() == t;
}

/// `key` of `j` exists with type `t` (or null when `nullable`).
Status need(const json& j, const std::string& path, const char* key, json::value_t t, bool nullable = false) {
  const std::string at = path.empty() ? key : path + "." + key;
  if (!j.is_object() || !j.contains(key)) return fail("advise document", fmt::format("{}: missing", at));
  const json& v = j[key];
  if ((nullable && v.is_null()) || is(v, t)) return Ok{};
  return fail("advise document", fmt::format("{}: must be {}, found {}", at, type_name(t), v.type_name()));
}

#define WORTHIT_NEED(...) \
  if (auto s_ = need(__VA_ARGS__); !s_) return s_

constexpr auto S = json::value_t::string, A = json::value_t::array, O = json::value_t::object,
               N = json::value_t::number_float, Bo = json::value_t::boolean;

Status validate_workload(const json& w, const std::string& p) {
  WORTHIT_NEED(w, p, "name", S);
  WORTHIT_NEED(w, p, "model", S);
  WORTHIT_NEED(w, p, "fits", Bo);
  WORTHIT_NEED(w, p, "memory", A);
  if (!w["fits"].get<bool>()) return Ok{};
  WORTHIT_NEED(w, p, "eval_rate_tps", N);
  WORTHIT_NEED(w, p, "eval_rate_tps_range", A);
  WORTHIT_NEED(w, p, "prompt_eval_rate_tps", N);
  WORTHIT_NEED(w, p, "per_user_eval_rate_tps", N);
  WORTHIT_NEED(w, p, "source", O);
  return Ok{};
}

Status validate_candidate(const json& c, const std::string& p) {
  WORTHIT_NEED(c, p, "id", S);
  WORTHIT_NEED(c, p, "name", S);
  WORTHIT_NEED(c, p, "kind", S);
  WORTHIT_NEED(c, p, "verdict", O);
  WORTHIT_NEED(c["verdict"], p + ".verdict", "summary", S);
  for (const char* k : {"worth_it_for", "not_worth_it_for"}) {
    WORTHIT_NEED(c["verdict"], p + ".verdict", k, A);
    for (size_t i = 0; i < c["verdict"][k].size(); ++i) {
      const std::string rp = fmt::format("{}.verdict.{}[{}]", p, k, i);
      WORTHIT_NEED(c["verdict"][k][i], rp, "workload", S);
      WORTHIT_NEED(c["verdict"][k][i], rp, "text", S);
    }
  }
  WORTHIT_NEED(c, p, "workloads", A);
  for (size_t i = 0; i < c["workloads"].size(); ++i)
    if (auto s = validate_workload(c["workloads"][i], fmt::format("{}.workloads[{}]", p, i)); !s) return s;
  WORTHIT_NEED(c, p, "cost", O, true);
  WORTHIT_NEED(c, p, "residents", O, true);
  return Ok{};
}

// ---------------------------------------------------------------- sources

/// Numbered footnotes: each distinct source once.
class Notes {
 public:
  std::string cite(const json& src) {
    if (!src.is_object()) return "";
    const std::string kind = src.value("kind", "");
    const std::string key = kind + "|" + src.value("detail", "") + "|" + src.value("url", "");
    auto it = index_.find(key);
    if (it == index_.end()) {
      list_.push_back(src);
      it = index_.emplace(key, list_.size()).first;
    }
    return fmt::format("<a class=\"src {}\" href=\"#src{}\">[{}]</a>", escape(kind), it->second, it->second);
  }
  std::string html() const {
    std::string s = "<h2 id=\"sources\">Sources</h2><ol class=\"sources\">";
    for (size_t i = 0; i < list_.size(); ++i) {
      const json& x = list_[i];
      const std::string url = x.value("url", "");
      s += fmt::format("<li id=\"src{}\"><b>{}</b>: {}{}</li>", i + 1, escape(x.value("kind", "")),
                       escape(x.value("detail", "")),
                       url.empty() ? "" : fmt::format(" (<a href=\"{0}\">{0}</a>)", escape(url)));
    }
    return s + "</ol>";
  }

 private:
  std::vector<json> list_;
  std::map<std::string, size_t> index_;
};

std::string fmt_num(const json& v, const char* spec = "{:.1f}") {
  if (!v.is_number()) return "n/a";
  return fmt::format(fmt::runtime(spec), v.get<double>());
}

// ---------------------------------------------------------------- sections

std::string verdicts(const json& doc) {
  std::string s = "<h2>Verdicts</h2>";
  for (const auto& c : doc["candidates"]) {
    s += fmt::format("<section class=\"cand {}\"><h3>{} <small>({})</small></h3><p>{}</p>",
                     escape(c["kind"].get<std::string>()), escape(c["name"].get<std::string>()),
                     escape(c["id"].get<std::string>()), escape(c["verdict"]["summary"].get<std::string>()));
    for (const char* k : {"worth_it_for", "not_worth_it_for"}) {
      if (c["verdict"][k].empty()) continue;
      s += fmt::format("<p class=\"{}\">{}</p><ul>", k, k[0] == 'w' ? "Worth it for" : "Not worth it for");
      for (const auto& r : c["verdict"][k])
        s += fmt::format("<li><b>{}</b>: {}</li>", escape(r["workload"].get<std::string>()),
                         escape(r["text"].get<std::string>()));
      s += "</ul>";
    }
    s += "</section>";
  }
  return s;
}

std::string rows_table(const json& list, const std::vector<std::pair<const char*, const char*>>& cols,
                       const char* title) {
  if (!list.is_array() || list.empty()) return "";
  std::string s = fmt::format("<h2>{}</h2><table><tr>", title);
  for (const auto& [key, head] : cols) s += fmt::format("<th>{}</th>", head);
  s += "</tr>";
  for (const auto& r : list) {
    s += "<tr>";
    for (const auto& [key, head] : cols) {
      const json v = r.value(key, json());
      s += fmt::format("<td>{}</td>", v.is_boolean() ? (v.get<bool>() ? "yes" : "<b>no</b>")
                                      : v.is_string() ? escape(v.get<std::string>())
                                                      : escape(v.dump()));
    }
    s += "</tr>";
  }
  return s + "</table>";
}

std::string seed_tables(const json& doc, Notes& notes) {
  if (!doc.contains("seed_tables") || !doc["seed_tables"].is_array()) return "";
  std::string s = "<h2>The seed's measurements beside worthit's predictions</h2><table><tr><th>test</th>"
                  "<th>device</th><th>metric</th><th>measured</th><th>predicted</th><th>error</th></tr>";
  for (const auto& r : doc["seed_tables"]) {
    const std::string metric = r.value("metric", "");
    const bool fit = metric == "fits";
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"measured\">{} {}</td>"
                     "<td class=\"predicted\">{} {}</td><td>{}</td></tr>",
                     escape(r.value("test", "")), escape(r.value("device", "")), escape(metric),
                     fit ? "does not fit" : fmt_num(r.value("measured", json())), notes.cite(r.value("source", json())),
                     fit ? "does not fit" : fmt_num(r.value("predicted", json())),
                     notes.cite({{"kind", "predicted"}, {"detail", "worthit model with the shipped calibration (fitted on these rows among 472 published rates)"}}),
                     r.contains("error_pct") ? fmt::format("{:+.1f}%", r["error_pct"].get<double>()) : "");
  }
  return s + "</table>";
}

std::string workload_tables(const json& doc, Notes& notes) {
  std::string s = "<h2>Every workload on every candidate</h2><table><tr><th>candidate</th><th>workload</th>"
                  "<th>fits</th><th>eval rate t/s (80% range)</th><th>measured eval t/s</th><th>per user t/s</th>"
                  "<th>prompt eval t/s</th><th>TTFT s</th></tr>";
  for (const auto& c : doc["candidates"])
    for (const auto& w : c["workloads"]) {
      const bool fits = w["fits"].get<bool>();
      const std::string cite = fits ? notes.cite(w["source"]) : "";
      std::string range;
      if (fits && w["eval_rate_tps_range"].size() == 2)
        range = fmt::format(" ({}-{})", fmt_num(w["eval_rate_tps_range"][0]), fmt_num(w["eval_rate_tps_range"][1]));
      const json meas = w.value("measured", json());
      const std::string measured = meas.is_object() ? fmt_num(meas.value("eval_rate_tps", json())) + " " +
                                                          notes.cite(meas.value("source", json()))
                                                    : "";
      s += fmt::format("<tr><td>{}</td><td>{} ({})</td><td>{}</td><td class=\"predicted\">{}{} {}</td>"
                       "<td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                       escape(c["name"].get<std::string>()), escape(w["name"].get<std::string>()),
                       escape(w["model"].get<std::string>()), fits ? "yes" : escape("no: " + w.value("reason", "")),
                       fits ? fmt_num(w["eval_rate_tps"]) : "", range, cite, measured.empty() ? "" : "measured", measured,
                       fits ? fmt_num(w["per_user_eval_rate_tps"]) : "",
                       fits ? fmt_num(w["prompt_eval_rate_tps"]) : "", fits ? fmt_num(w.value("ttft_s", json()), "{:.2f}") : "");
    }
  return s + "</table>";
}

std::string cost_table(const json& doc, Notes& notes) {
  std::string s = "<h2>Cost and power</h2><table><tr><th>candidate</th><th>price</th><th>idle / load W</th>"
                  "<th>cost per year</th><th>per million tokens</th><th>break-even vs cloud (h/day)</th></tr>";
  for (const auto& c : doc["candidates"]) {
    const json cost = c.value("cost", json());
    const json price = c.value("price", json());
    const json power = c.value("power", json());
    if (!cost.is_object()) continue;
    const std::string cur = cost.value("currency", "");
    std::string p = c["kind"] == "owned" ? "owned" : c["kind"] == "cloud" ? "rented" : "unknown";
    if (price.is_object() && price.value("known", false))
      p = fmt::format("{} {} ({}) {}", fmt_num(price["amount"], "{:.0f}"), cur, escape(price.value("condition", "")),
                      notes.cite(price.value("source", json())));
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{} / {} {}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                     escape(c["name"].get<std::string>()), p,
                     fmt_num(power.value("idle_w", json()), "{:.0f}"), fmt_num(power.value("load_w", json()), "{:.0f}"),
                     notes.cite(power.value("source", json())), fmt_num(cost.value("cost_per_year", json()), "{:.0f}"),
                     cur, fmt_num(cost.value("cost_per_mtok", json()), "{:.2f}"),
                     fmt_num(cost.value("break_even_hours_per_day", json()), "{:.1f}"));
  }
  return s + "</table>";
}

// ---------------------------------------------------------------- charts

std::string rate_chart(const json& doc, const char* key, const char* range_key, const char* title) {
  svg::BarChart ch;
  ch.title = title;
  ch.y_label = "tokens/s (predicted, 80% range)";
  const json& cands = doc["candidates"];
  for (const auto& w : cands[0]["workloads"]) ch.groups.push_back(w["name"].get<std::string>() + " " + w["model"].get<std::string>());
  for (const auto& c : cands) ch.series.push_back(c["id"].get<std::string>());
  for (size_t g = 0; g < ch.groups.size(); ++g) {
    std::vector<svg::Bar> row;
    for (const auto& c : cands) {
      svg::Bar b;
      if (g < c["workloads"].size() && c["workloads"][g]["fits"].get<bool>()) {
        const json& w = c["workloads"][g];
        b.value = w.value(key, 0.0);
        if (w.contains(range_key) && w[range_key].size() == 2) {
          b.low = w[range_key][0].get<double>();
          b.high = w[range_key][1].get<double>();
        }
      }
      row.push_back(b);
    }
    ch.bars.push_back(row);
  }
  return svg::bar_chart(ch);
}

std::string memory_chart(const json& doc) {
  // The workload that needs the most memory on the user's machine.
  const json& owned = doc["candidates"][0];
  size_t pick = 0;
  double most = -1;
  for (size_t i = 0; i < owned["workloads"].size(); ++i) {
    double sum = 0;
    for (const auto& m : owned["workloads"][i]["memory"]) sum += m.value("used_bytes", 0.0);
    if (sum > most) most = sum, pick = i;
  }
  svg::StackedChart ch;
  ch.title = "Memory per pool: " + (owned["workloads"].empty() ? std::string("") : owned["workloads"][pick]["name"].get<std::string>());
  ch.x_label = "GiB (predicted by worthit fit)";
  ch.segment_names = {"weights", "KV cache", "compute and other"};
  ch.unit = 1024.0 * 1024.0 * 1024.0;
  for (const auto& c : doc["candidates"]) {
    if (pick >= c["workloads"].size()) continue;
    for (const auto& m : c["workloads"][pick]["memory"])
      ch.rows.push_back({c["id"].get<std::string>() + " " + m.value("pool", ""),
                         {m.value("weights_bytes", 0.0), m.value("kv_bytes", 0.0), m.value("other_bytes", 0.0)},
                         m.value("capacity_bytes", 0.0)});
  }
  return svg::stacked_bars(ch);
}

std::string cost_speed_chart(const json& doc) {
  svg::Scatter ch;
  ch.title = "Cost per year against speed (mean eval rate per user over the workloads that fit)";
  ch.y_label = "tokens/s per user (predicted)";
  for (const auto& c : doc["candidates"]) {
    const json cost = c.value("cost", json());
    if (!cost.is_object() || !cost.value("cost_per_year", json()).is_number()) continue;
    ch.x_label = "cost per year, " + cost.value("currency", std::string(""));
    double sum = 0;
    int n = 0;
    for (const auto& w : c["workloads"])
      if (w["fits"].get<bool>()) sum += w["per_user_eval_rate_tps"].get<double>(), ++n;
    if (n > 0) ch.points.push_back({c["id"].get<std::string>(), cost["cost_per_year"].get<double>(), sum / n});
  }
  return svg::scatter(ch);
}

std::string break_even_chart(const json& doc) {
  svg::LineChart ch;
  ch.title = "Owning against renting, by hours of use a day";
  ch.x_label = "hours of use per day";
  bool cloud_done = false;
  for (const auto& c : doc["candidates"]) {
    const json cost = c.value("cost", json());
    if (!cost.is_object() || !cost.contains("curve") || c["kind"] == "cloud" || c["kind"] == "owned") continue;
    if (!cost.value("cost_per_year", json()).is_number()) continue;
    ch.y_label = "cost per year, " + cost.value("currency", std::string(""));
    svg::Series own{c["id"].get<std::string>(), {}, false}, cloud{"cloud (rented)", {}, true};
    for (const auto& p : cost["curve"]) {
      if (p["own_per_year"].is_number()) own.points.push_back({p["hours_per_day"].get<double>(), p["own_per_year"].get<double>()});
      if (p["cloud_per_year"].is_number()) cloud.points.push_back({p["hours_per_day"].get<double>(), p["cloud_per_year"].get<double>()});
    }
    ch.series.push_back(own);
    if (!cloud_done && !cloud.points.empty()) {
      const json ref = cost.value("cloud_reference", json());
      if (ref.is_object()) cloud.name = "rent " + ref.value("gpu", std::string("")) + " at " + ref.value("provider", std::string(""));
      ch.series.push_back(cloud);
      cloud_done = true;
    }
    const json be = cost.value("break_even_hours_per_day", json());
    if (be.is_number() && own.points.size() > 1) {
      // The marker sits on the owner's line at the break-even hour (linear between the points).
      const double x = be.get<double>();
      double y = own.points.back().second;
      for (size_t i = 1; i < own.points.size(); ++i)
        if (x <= own.points[i].first) {
          const auto [x0, y0] = own.points[i - 1];
          const auto [x1, y1] = own.points[i];
          y = y0 + (y1 - y0) * (x - x0) / (x1 - x0);
          break;
        }
      ch.markers.push_back({fmt::format("{} break-even at {:.1f} h/day", c["id"].get<std::string>(), x), x, y});
    }
  }
  return svg::line_chart(ch);
}

const char* kStyle =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}.measured{background:#eef7ee}"
    ".predicted{background:#eef2fa}section.cand{border-left:4px solid #4e79a7;padding-left:1em;margin:1em 0}"
    "a.src{font-size:11px;text-decoration:none}.worth_it_for{color:#2b7a2b;font-weight:bold}"
    ".not_worth_it_for{color:#a33;font-weight:bold}svg{display:block;margin:1em 0;max-width:100%;height:auto}";

}  // namespace

Status validate(const json& doc) {
  if (!doc.is_object()) return fail("advise document", "the document must be a JSON object");
  WORTHIT_NEED(doc, "", "profile", O);
  WORTHIT_NEED(doc["profile"], "profile", "name", S);
  WORTHIT_NEED(doc, "", "candidates", A);
  if (doc["candidates"].empty()) return fail("advise document", "candidates: empty");
  for (size_t i = 0; i < doc["candidates"].size(); ++i)
    if (auto s = validate_candidate(doc["candidates"][i], fmt::format("candidates[{}]", i)); !s) return s;
  WORTHIT_NEED(doc, "", "decision_tree", A);
  WORTHIT_NEED(doc, "", "seed_agreement", A, true);
  WORTHIT_NEED(doc, "", "seed_tables", A, true);
  return Ok{};
}

Result<std::string> render_html(const json& doc) {
  if (auto s = validate(doc); !s) return fail(s.error());
  try {
    Notes notes;
    std::string body = fmt::format("<h1>worthit: {}</h1>", escape(doc["profile"]["name"].get<std::string>()));
    body += "<p>Green cells are measured, blue cells predicted; the bracketed numbers lead to the sources. "
            "Predictions come from worthit's performance model (docs/performance-model.md).</p>";
    body += verdicts(doc);
    body += rate_chart(doc, "eval_rate_tps", "eval_rate_tps_range", "Eval rate (token generation) per device and workload");
    body += rate_chart(doc, "prompt_eval_rate_tps", "prompt_eval_rate_tps_range", "Prompt eval rate (prompt processing) per device and workload");
    body += memory_chart(doc) + cost_speed_chart(doc) + break_even_chart(doc);
    body += rows_table(doc["decision_tree"], {{"question", "question"}, {"answer", "answer"}, {"because", "because"}},
                       "The seed's decision tree, answered from the numbers");
    body += rows_table(doc.value("seed_agreement", json()), {{"claim", "claim"}, {"seed_says", "the seed says"},
                       {"worthit_says", "worthit computes"}, {"agrees", "agrees"}, {"why", "why"}},
                       "Against the seed's conclusions");
    body += seed_tables(doc, notes) + workload_tables(doc, notes) + cost_table(doc, notes);
    std::string notes_html;
    for (const auto& n : doc.value("notes", json::array())) notes_html += "<li>" + escape(n.get<std::string>()) + "</li>";
    if (!notes_html.empty()) body += "<h2>Notes</h2><ul>" + notes_html + "</ul>";
    body += notes.html();
    return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>worthit report</title><style>" +
           std::string(kStyle) + "</style></head><body>" + body + "</body></html>\n";
  } catch (const json::exception& e) {
    return fail("advise document", e.what());
  }
}

Result<std::string> render_markdown(const json& doc) {
  if (auto s = validate(doc); !s) return fail(s.error());
  try {
    std::string s = fmt::format("# worthit: {}\n\n", doc["profile"]["name"].get<std::string>());
    for (const auto& c : doc["candidates"]) {
      s += fmt::format("## {}\n\n{}\n\n", c["name"].get<std::string>(), c["verdict"]["summary"].get<std::string>());
      for (const char* k : {"worth_it_for", "not_worth_it_for"})
        for (const auto& r : c["verdict"][k])
          s += fmt::format("- {} **{}**: {}\n", k[0] == 'w' ? "worth it:" : "not worth it:",
                           r["workload"].get<std::string>(), r["text"].get<std::string>());
      s += "\n| workload | fits | eval rate t/s (predicted) | prompt eval t/s |\n|---|---|---:|---:|\n";
      for (const auto& w : c["workloads"])
        s += fmt::format("| {} ({}) | {} | {} | {} |\n", w["name"].get<std::string>(), w["model"].get<std::string>(),
                         w["fits"].get<bool>() ? "yes" : "no", fmt_num(w.value("eval_rate_tps", json())),
                         fmt_num(w.value("prompt_eval_rate_tps", json())));
      s += "\n";
    }
    s += "## Decision tree\n\n";
    for (const auto& t : doc["decision_tree"])
      s += fmt::format("- **{}** {} ({})\n", t["question"].get<std::string>(), t["answer"].get<std::string>(),
                       t["because"].get<std::string>());
    if (doc.contains("seed_tables") && doc["seed_tables"].is_array()) {
      s += "\n## The seed's measurements (measured) beside worthit (predicted)\n\n| test | device | metric | measured | predicted |\n|---|---|---|---:|---:|\n";
      for (const auto& r : doc["seed_tables"])
        s += fmt::format("| {} | {} | {} | {} | {} |\n", r.value("test", ""), r.value("device", ""), r.value("metric", ""),
                         fmt_num(r.value("measured", json())), fmt_num(r.value("predicted", json())));
    }
    return s;
  } catch (const json::exception& e) {
    return fail("advise document", e.what());
  }
}

}  // namespace worthit::report
