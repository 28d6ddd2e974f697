// report.html for a comparison folder (`linksim compare`): the verdict, one
// sentence per headline metric and scenario, first on the page; the paired
// table; and the paired difference over time from comparison_daily.csv,
// whose parser linksim serve shares (daily_differences).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "report/page.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::pair<std::string, nlohmann::json>> daily_differences(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::pair<std::string, nlohmann::json>> by_scenario;
  const auto value = [](const std::string& t) {
    return t.empty() ? nlohmann::json() : nlohmann::json(std::strtod(t.c_str(), nullptr));
  };
  while (std::getline(in, line)) {
    std::vector<std::string> f = split_csv_line(line);
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

namespace {

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

}  // namespace

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

}  // namespace linksim::detail
