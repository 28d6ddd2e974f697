// report.html for a sweep folder (`linksim sweep`): its source line and a
// table of every point's headline metrics, each with its interval and its
// paired difference to the point's baseline (the script draws the charts
// from the points this embeds).
#include <cmath>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "report/page.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

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

}  // namespace linksim::detail
