// report.html: one self-contained page from the output folders of run,
// compare, sweep, sensitivity and calibrate. The data comes from the files
// those commands wrote (summary.json, timeseries.csv, comparison.json,
// sweep.json; sensitivity.json and calibration.json in analysis.cpp), so the
// page shows exactly what they hold; Chart.js and the page's script are inlined.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "report/page.hpp"

namespace linksim {

namespace detail {

extern const char* const chartjs_source;
extern const char* const report_js_source;

nlohmann::json read_json(const std::filesystem::path& p) {
  try {
    return nlohmann::json::parse(detail::read_text(p));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(p.string() + " is not valid JSON (" + e.what() + ")");
  }
}

std::vector<std::pair<std::string, nlohmann::json>> daily_differences(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::pair<std::string, nlohmann::json>> by_scenario;
  const auto value = [](const std::string& t) {
    return t.empty() ? nlohmann::json() : nlohmann::json(std::strtod(t.c_str(), nullptr));
  };
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) f.push_back(cell);
    f.resize(8);
    if (f[3] != "gmv" && f[3] != "in_store_share") continue;
    auto at = std::find_if(by_scenario.begin(), by_scenario.end(),
                           [&](const auto& e) { return e.first == f[0]; });
    if (at == by_scenario.end()) at = by_scenario.insert(at, {f[0], nlohmann::json()});
    nlohmann::json& s = at->second;
    if (f[3] == "gmv") s["dates"].push_back(f[2]);
    s["series"][f[3]]["mean"].push_back(value(f[5]));
    s["series"][f[3]]["lo"].push_back(value(f[6]));
    s["series"][f[3]]["hi"].push_back(value(f[7]));
    s["units"][f[3]] = f[4];
  }
  return by_scenario;
}

std::string html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace detail

namespace {

namespace fs = std::filesystem;
using detail::difference_in_scale;
using detail::html;
using detail::in_scale;
using detail::number;
using detail::read_json;
using detail::Report;
using detail::unit_scale;
using detail::UnitScale;
using nlohmann::json;

// JSON inside <script>: "</" would end the element early.
std::string script_safe(std::string s) {
  for (std::size_t at = 0; (at = s.find("</", at)) != std::string::npos; at += 3) {
    s.replace(at, 2, "<\\/");
  }
  return s;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// The daily series the charts use, from timeseries.csv: mean, lo and hi per column.
json daily_series(const fs::path& file, const std::vector<std::string>& columns, json& dates) {
  std::istringstream in(detail::read_text(file));
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  auto index = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw std::runtime_error(file.string() + " has no column " + name +
                             " (expected the files of this linksim; an older one wrote it: run "
                             "the scenario again)");
  };
  const std::size_t date_col = index("date");
  json out = json::object();
  for (const auto& c : columns)
    out[c] = {{"mean", json::array()}, {"lo", json::array()}, {"hi", json::array()}};
  dates = json::array();
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    dates.push_back(cells.at(date_col));
    for (const auto& c : columns) {
      for (const char* stat : {"mean", "lo", "hi"}) {
        const std::string name = std::string(stat) == "mean" ? c : c + "_" + stat;
        const std::string& text = cells.at(index(name));
        double v = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc{}) {
          out[c][stat].push_back(nullptr);
        } else {
          out[c][stat].push_back(v);
        }
      }
    }
  }
  return out;
}

Interval interval_of(const json& j) {
  Interval iv;
  auto get = [&](const char* k) {
    return j.contains(k) && j[k].is_number() ? j[k].get<double>() : std::nan("");
  };
  iv.mean = get("mean");
  iv.sd = get("sd");
  iv.lo = get("ci95_low");
  iv.hi = get("ci95_high");
  iv.n = j.value("n", 0);
  return iv;
}

void add_run(Report& rep, const fs::path& dir, const std::string& label) {
  const json summary = read_json(dir / "summary.json");
  json dates;
  json daily = daily_series(
      dir / "timeseries.csv",
      {"gmv_store", "gmv_taobao", "gmv_jd", "in_store_share", "active_merchants"}, dates);
  json months = json::array();
  json retention{{"mean", json::array()}, {"lo", json::array()}, {"hi", json::array()}};
  for (const auto& row : summary.at("monthly")) {
    months.push_back(row.at("month"));
    const json& r = row.at("new_merchant_retention");
    retention["mean"].push_back(r.at("mean"));
    retention["lo"].push_back(r.at("ci95_low"));
    retention["hi"].push_back(r.at("ci95_high"));
  }
  const json& sc = summary.at("scenario");
  rep.runs.push_back({{"label", label},
                      {"folder", dir.string()},
                      {"dates", dates},
                      {"months", months},
                      {"daily", daily},
                      {"monthly", {{"new_merchant_retention", retention}}}});
  rep.sources += "<li><b>" + html(label) + "</b>: scenario file <code>" +
                 html(sc.value("file", "")) + "</code>, seed " +
                 std::to_string(sc.value("seed", 0ULL)) + ", " +
                 count_of(summary.value("replications", 0), "replication") + "; linksim " +
                 html(summary["linksim"].value("version", "")) + " (" +
                 html(summary["linksim"].value("commit", "")) + "); folder <code>" +
                 html(dir.string()) + "</code></li>\n";
}

// The headline metrics of several runs side by side, with paired differences
// when compared: one unit per row, named in its own column (money in the
// scale of the row's smallest level or difference, so none reads as 0.0).
std::string metrics_table(const std::vector<std::string>& names, const std::vector<json>& metrics,
                          bool paired) {
  std::ostringstream t;
  t << "<table><thead><tr><th>metric</th><th>unit</th>";
  for (const auto& n : names) t << "<th>" << html(n) << "</th>";
  if (paired) {
    for (std::size_t i = 1; i < names.size(); ++i) {
      t << "<th>paired difference<br>" << html(names[i]) << " − " << html(names[0]) << "</th>";
    }
  }
  t << "</tr></thead><tbody>\n";
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    std::vector<Difference> diffs;
    double level = std::numeric_limits<double>::infinity(), change = 0;
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      const json& mj = metrics[i].at(info.name);
      level = std::min(level, std::fabs(number(mj, "mean")));
      if (!paired || i == 0) continue;
      Difference d;
      d.diff = interval_of(mj.at("paired_difference"));
      d.relative =
          mj.at("relative_change").is_number() ? mj["relative_change"].get<double>() : std::nan("");
      d.significant = mj.value("significant", false);
      const double v = std::fabs(d.diff.mean);
      if (std::isfinite(v) && v != 0 && (change == 0 || v < change)) change = v;
      diffs.push_back(d);
    }
    const UnitScale u = unit_scale(info.unit, {level, change}, RmbUnits::ascii);
    t << "<tr><td title=\"" << html(info.doc) << "\">" << html(info.name) << "</td><td>"
      << html(u.label == "%" && paired ? "% (difference: pts)" : u.label) << "</td>";
    for (const auto& mj : metrics) {
      t << "<td class=num>" << html(in_scale(interval_of(mj.at(info.name)), u)) << "</td>";
    }
    for (const Difference& d : diffs) {
      std::string text = difference_in_scale(d, u);
      text.erase(text.find_last_not_of(' ') + 1);
      t << "<td class=\"num" << (d.significant ? " sig" : "") << "\">" << html(text) << "</td>";
    }
    t << "</tr>\n";
  }
  t << "</tbody></table>\n";
  return t.str();
}

// A paired difference in the metric's unit: money in RMB, shares in points.
std::string difference_text(const json& d, const std::string& unit) {
  const double mean = detail::number(d, "mean"), lo = detail::number(d, "ci95_low"),
               hi = detail::number(d, "ci95_high");
  if (unit == "fen") {  // the bounds in the mean's scale
    return format_metric(Interval{.mean = mean, .sd = 0, .lo = lo, .hi = hi, .n = 2}, unit,
                         RmbUnits::ascii);
  }
  const double k = unit == "share" ? 100 : 1;
  const char* what = unit == "share" ? " pts" : unit == "days" ? " days" : "";
  char buf[128];
  std::snprintf(buf, sizeof buf, "%+.2f%s [%+.2f, %+.2f]", k * mean, what, k * lo, k * hi);
  return buf;
}

// The verdict: for each headline metric and each scenario against the
// baseline, one sentence: higher or lower, by how much, and whether the
// paired interval excludes zero.
std::string verdict_html(const json& c) {
  const std::string base = c.value("baseline", "");
  std::ostringstream v;
  v << "<section class=verdict><h2>Verdict</h2>\n<p>Each scenario against " << html(base)
    << ", paired over " << count_of(c.value("replications", 0), "replication")
    << " with the same seeds: the difference (it minus " << html(base)
    << ") and its 95% interval.</p>\n<ul>\n";
  const json& scenarios = c.at("scenarios");
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    const std::string name = scenarios[i].at("name");
    for (int m : headline_indices()) {
      const auto& info = metric_info()[m];
      const json& mj = scenarios[i].at("metrics").at(info.name);
      const json d = mj.value("paired_difference", json::object());
      const double mean = detail::number(d, "mean"), rel = detail::number(mj, "relative_change");
      if (!std::isfinite(mean)) {
        v << "<li class=\"ns\"><b>" << html(info.name) << "</b> (" << html(info.doc)
          << "): not measured over this horizon.</li>\n";
        continue;
      }
      const bool significant = mj.value("significant", false);
      char by[48] = "";
      if (std::isfinite(rel)) {
        std::snprintf(by, sizeof by, " (%.*f%%)", std::fabs(rel) < 0.001 ? 2 : 1,
                      100 * std::fabs(rel));
      }
      v << "<li class=\"" << (significant ? "sig" : "ns") << "\"><b>" << html(info.name) << "</b> ("
        << html(info.doc) << "): ";
      if (significant) {
        v << html(name) << " is <b>" << (mean > 0 ? "higher" : "lower") << "</b>" << by << " than "
          << html(base) << ", " << html(difference_text(d, info.unit))
          << "; the interval excludes zero.";
      } else {
        v << "no difference shown between " << html(name) << " and " << html(base) << ", "
          << html(difference_text(d, info.unit)) << "; the interval includes zero.";
      }
      v << "</li>\n";
    }
  }
  v << "</ul></section>\n";
  return v.str();
}

void add_comparison(Report& rep, const fs::path& dir) {
  const json c = read_json(dir / "comparison.json");
  std::vector<std::string> names;
  std::vector<json> metrics;
  for (const auto& s : c.at("scenarios")) {
    const std::string folder = s.value("folder", s.at("name").get<std::string>());
    add_run(rep, dir / folder, s.at("name").get<std::string>());
    names.push_back(s.at("name"));
    metrics.push_back(s.at("metrics"));
  }
  rep.verdict += verdict_html(c);
  rep.tables += "<section><h2>Paired comparison against " + html(c.value("baseline", "")) +
                "</h2><p>" + count_of(c.value("replications", 0), "replication") +
                " each with the same seeds (common random numbers), seed " +
                std::to_string(c.value("seed", 0ULL)) +
                ". Mean [95% interval]; a difference marked * and in bold has an interval that "
                "excludes zero. Shares' differences are in percentage points.</p>\n" +
                metrics_table(names, metrics, true) + "</section>\n";
  // The paired difference over time (comparison_daily.csv), GMV and the
  // store's share, for each scenario against the baseline.
  if (fs::exists(dir / "comparison_daily.csv")) {
    const auto by_scenario =
        detail::daily_differences(detail::read_text(dir / "comparison_daily.csv"));
    std::string canvases;
    for (const auto& [name, series] : by_scenario) {
      json s = series;
      s["scenario"] = name;
      s["baseline"] = c.value("baseline", "");
      const std::size_t k = rep.differences.size();
      for (const char* m : {"gmv", "in_store_share"}) {
        canvases += "<div class=chart><canvas id=\"diff-" + std::to_string(k) + "-" + m +
                    "\"></canvas></div>\n";
      }
      rep.differences.push_back(s);
    }
    if (!canvases.empty()) {
      rep.tables += "<section><h2>The paired difference over time</h2><p>Each scenario minus " +
                    html(c.value("baseline", "")) +
                    ", day by day, replication by replication with the same seeds: the mean "
                    "and its 95% interval (<code>comparison_daily.csv</code> has these and "
                    "platform revenue, lost GMV and active merchants).</p>\n" +
                    canvases + "</section>\n";
    }
  }
}

void add_sweep(Report& rep, const fs::path& dir) {
  const json s = read_json(dir / "sweep.json");
  if (s.value("status", "") != "complete") {
    throw std::runtime_error("the sweep in " + dir.string() +
                             " is not finished (run the same linksim sweep command again to "
                             "finish it)");
  }
  const json& sc = s.at("scenario");
  json points = json::array();
  for (const auto& p : s.at("results")) points.push_back(p);
  rep.sweeps.push_back({{"name", sc.at("name")}, {"axes", s.at("axes")}, {"points", points}});
  std::string axes;
  for (const auto& a : s.at("axes")) {
    axes += (axes.empty() ? "" : " × ") + a.at("key").get<std::string>() + " = " +
            a.at("values").dump();
  }
  rep.sources += "<li><b>sweep of " + html(sc.value("name", "")) + "</b>: scenario file <code>" +
                 html(sc.value("file", "")) + "</code>, " + html(axes) + ", seed " +
                 std::to_string(sc.value("seed", 0ULL)) + " at every point, " +
                 count_of(sc.value("replications", 0), "replication") + " per point; linksim " +
                 html(s["linksim"].value("version", "")) + " (" +
                 html(s["linksim"].value("commit", "")) + "); folder <code>" + html(dir.string()) +
                 "</code></li>\n";
  // One unit per metric column (named in its head), so that the table fits the
  // page: each cell has the mean, its interval, and the paired difference to
  // the point's baseline (the first value of the first axis).
  const std::string first_key = s.at("axes").at(0).at("key");
  std::vector<UnitScale> units;
  for (int m : headline_indices()) {
    const std::string& name = metric_info()[m].name;
    std::vector<double> means;
    for (const auto& p : points) means.push_back(number(p.at("metrics").at(name), "mean"));
    units.push_back(unit_scale(metric_info()[m].unit, means, RmbUnits::ascii));
  }
  std::ostringstream t;
  t << "<section><h2>Sweep of " << html(sc.value("name", "")) << "</h2>"
    << "<p>At each point: the mean, its 95% interval, and <b>Δ</b>, the paired difference to the "
       "point with <code>"
    << html(first_key)
    << "</code> at its first value and the other axes the same (the same seeds: common random "
       "numbers), with its 95% interval; * where that interval excludes zero. Shares in %, their "
       "differences in percentage points.</p><div class=wide><table class=sweep><thead><tr>"
       "<th>point</th>";
  for (const auto& a : s.at("axes")) t << "<th>" << html(a.at("key").get<std::string>()) << "</th>";
  std::size_t k = 0;
  for (int m : headline_indices()) {
    t << "<th>" << html(metric_info()[m].name) << "<br>" << html(units[k++].label) << "</th>";
  }
  t << "</tr></thead><tbody>\n";
  for (const auto& p : points) {
    const int point = p.at("point").get<int>();
    const int baseline = p.value("baseline_point", 0);
    t << "<tr><td>" << point << "</td>";
    for (const auto& v : p.at("values")) t << "<td>" << html(v.get<std::string>()) << "</td>";
    k = 0;
    for (int m : headline_indices()) {
      const json& mj = p.at("metrics").at(metric_info()[m].name);
      const UnitScale& u = units[k++];
      const Interval iv = interval_of(mj);
      const std::string bounds = in_scale(iv, u);
      const std::size_t cut = bounds.find(" [");
      t << "<td class=num data-metric=\"" << metric_info()[m].name << "\">"
        << html(bounds.substr(0, cut));
      if (cut != std::string::npos)
        t << "<br><small>" << html(bounds.substr(cut + 1)) << "</small>";
      if (point != baseline && mj.contains("paired_difference")) {
        Difference d;
        d.diff = interval_of(mj.at("paired_difference"));
        d.significant = d.diff.n >= 2 && (d.diff.lo > 0 || d.diff.hi < 0);
        const double base =
            number(points.at(baseline).at("metrics").at(metric_info()[m].name), "mean");
        d.relative = base != 0 ? d.diff.mean / base : std::nan("");
        std::string text = difference_in_scale(d, u);
        text.erase(text.find_last_not_of(' ') + 1);
        t << "<br><span class=delta>Δ " << html(text) << "</span>";
      }
      t << "</td>";
    }
    t << "</tr>\n";
  }
  t << "</tbody></table></div></section>\n";
  rep.tables += t.str();
}

const char* style = R"css(
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei",
       system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p, li { font-size: 14px; line-height: 1.5; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sig { font-weight: bold; }
div.wide { overflow-x: auto; }
table.sweep td.num { white-space: normal; }
table.sweep small { color: #555; }
table.sweep .delta { color: #1b3e6f; }
.chart { position: relative; height: 340px; margin: 12px 0 24px; }
code { font-size: 12px; }
p.note { color: #555; font-style: italic; }
.banner { border-radius: 4px; padding: 10px 14px; margin: 12px 0; font-size: 15px; }
.banner.ok { background: #e8f5e9; border: 1px solid #81c784; color: #1b5e20; }
.banner.warn { background: #fff4e5; border: 1px solid #ffb74d; color: #7a4100; }
td.flag { color: #b35900; font-weight: bold; }
.sign { margin: -8px 0 32px; }
.sign p { margin: 0 0 4px; }
.sign td b { color: #b35900; }
.verdict ul { padding-left: 20px; }
.verdict li { margin: 4px 0; }
.verdict li.sig { color: #1b3e6f; }
.verdict li.ns { color: #555; }
)css";

}  // namespace

std::string report_html(const std::vector<fs::path>& folders) {
  Report rep;
  for (const auto& dir : folders) {
    if (fs::exists(dir / "sensitivity.json")) {
      detail::add_sensitivity(rep, dir);
    } else if (fs::exists(dir / "calibration.json")) {
      detail::add_calibration(rep, dir);
    } else if (fs::exists(dir / "posterior.json")) {
      detail::add_posterior(rep, dir);
    } else if (fs::exists(dir / "forecast.json")) {
      detail::add_forecast(rep, dir);
    } else if (fs::exists(dir / "comparison.json")) {
      add_comparison(rep, dir);
    } else if (fs::exists(dir / "sweep.json")) {
      add_sweep(rep, dir);
    } else if (fs::exists(dir / "summary.json")) {
      const json summary = read_json(dir / "summary.json");
      const std::string name = summary.at("scenario").value("name", dir.filename().string());
      add_run(rep, dir, name);
      std::vector<json> metrics{summary.at("metrics")};
      rep.tables += "<section><h2>" + html(name) + "</h2><p>" +
                    count_of(summary.value("replications", 0), "replication") +
                    "; mean [95% interval].</p>\n" + metrics_table({name}, metrics, false) +
                    "</section>\n";
    } else {
      throw std::runtime_error(dir.string() +
                               " holds no linksim results (expected summary.json, comparison.json, "
                               "sweep.json, sensitivity.json, calibration.json, "
                               "posterior.json or forecast.json)");
    }
  }
  json headline = json::array();
  for (int m : headline_indices()) {
    headline.push_back({{"name", metric_info()[m].name}, {"unit", metric_info()[m].unit}});
  }
  const json data{{"runs", rep.runs},
                  {"sweeps", rep.sweeps},
                  {"sensitivities", rep.sensitivities},
                  {"calibrations", rep.calibrations},
                  {"posteriors", rep.posteriors},
                  {"differences", rep.differences},
                  {"forecasts", rep.forecasts},
                  {"headline", headline},
                  {"channel_labels",
                   {{"gmv_store", "store 快手小店"},
                    {"gmv_taobao", "Taobao Union 淘宝联盟"},
                    {"gmv_jd", "JD Union 京东联盟"}}}};
  std::string title;
  for (const auto& r : rep.runs)
    title += (title.empty() ? "" : " vs ") + r["label"].get<std::string>();
  for (const auto& s : rep.sweeps) {
    title += (title.empty() ? "" : ", ") + std::string("sweep of ") + s["name"].get<std::string>();
  }
  if (!rep.title.empty()) title += (title.empty() ? "" : ", ") + rep.title;
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>linksim report: " << html(title) << "</title>\n<style>" << style << "</style>\n"
    << "</head><body>\n<h1>linksim report: " << html(title) << "</h1>\n"
    << "<p>Closed loop (every sale through the platform's store, 快手小店) or open links (Taobao "
       "Union 淘宝联盟, JD Union 京东联盟)? Money in RMB: k = thousand, M = million (1 万 = 10 k, "
       "1 亿 = 100 M), bn = billion; shaded bands are 95% intervals over replications where a "
       "chart does not name its own.</p>\n"
    << rep.verdict << "<h2>Sources</h2><ul>\n"
    << rep.sources << "</ul>\n"
    << rep.tables;
  if (!rep.runs.empty()) {
    h << "<h2>Over time</h2>\n";
    for (std::size_t i = 0; i < rep.runs.size(); ++i) {
      h << "<div class=chart><canvas id=\"gmv-" << i << "\"></canvas></div>\n";
    }
    for (const char* id : {"share", "merchants", "retention"}) {
      h << "<div class=chart><canvas id=\"" << id << "\"></canvas></div>\n";
    }
  }
  for (std::size_t k = 0; k < rep.sweeps.size(); ++k) {
    h << "<h2>Sweep of " << html(rep.sweeps[k]["name"].get<std::string>())
      << ": headline metrics</h2>\n"
      << "<p>For each metric, first the paired difference (the same seeds at every point) to the "
         "point with the first axis at its first value and the other axes the same, then the "
         "levels.</p>\n";
    for (int m : headline_indices()) {
      for (const char* suffix : {"-diff", ""}) {
        h << "<div class=chart><canvas id=\"sweep-" << k << "-" << metric_info()[m].name << suffix
          << "\"></canvas></div>\n";
      }
    }
  }
  h << rep.analyses << "<pre id=\"linksim-rendered\" hidden></pre>\n"
    << "<script id=\"linksim-data\" type=\"application/json\">" << script_safe(data.dump())
    << "</script>\n"
    << "<script>\n"
    << detail::chartjs_source << "\n</script>\n"
    << "<script>\n"
    << detail::report_js_source << "\n</script>\n"
    << "</body></html>\n";
  return h.str();
}

void write_report(const std::vector<fs::path>& folders, const fs::path& file) {
  write_file_atomic(file, report_html(folders));
}

}  // namespace linksim
