// report.html: one self-contained page from the output folders of run,
// compare, sweep, sensitivity, calibrate and forecast. The data comes from
// the files those commands wrote, so the page shows exactly what they hold;
// Chart.js and the page's script are inlined. Here: the page itself and run
// folders (summary.json, timeseries.csv); comparison.cpp, sweep.cpp,
// analysis.cpp (sensitivity, calibration) and bayes.cpp (posterior,
// forecast) the other folders.
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

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace detail

namespace {

namespace fs = std::filesystem;
using detail::add_comparison;
using detail::add_run;
using detail::add_sweep;
using detail::difference_in_scale;
using detail::html;
using detail::in_scale;
using detail::metrics_table;
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

// The daily series the charts use, from timeseries.csv: mean, lo and hi per column.
json daily_series(const fs::path& file, const std::vector<std::string>& columns, json& dates) {
  std::istringstream in(detail::read_text(file));
  std::string line;
  std::getline(in, line);
  const auto header = detail::split_csv_line(line);
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
    const auto cells = detail::split_csv_line(line);
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

}  // namespace

namespace detail {

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

}  // namespace detail

namespace {

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
