// Sweeps: the cartesian product of a scenario's sweep axes, each point run
// over the replications with the base seed, so that neighbouring points share
// their random streams and the curves are smooth (common random numbers).
//
// Resumable: the folder holds sweep.json (what is being swept, with a
// fingerprint) from the start, and a record of every finished point
// (experiment/points.cpp).

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ensemble.hpp"
#include "experiment/points.hpp"
#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "scenario/keys.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

json axes_json(const std::vector<SweepAxis>& axes) {
  json out = json::array();
  for (const auto& a : axes) {
    json values = json::array();
    for (const auto& v : a.grid()) values.push_back(detail::yaml_unquote(v));
    out.push_back({{"key", a.key}, {"values", values}});
  }
  return out;
}

// What the manifest says about the sweep, for a mismatch message.
json manifest(const SweepPlan& plan) {
  Scenario base = plan.base;
  base.sweep.clear();
  return {{"linksim", {{"version", version()}, {"commit", git_commit()}}},
          {"fingerprint", plan.fingerprint},
          {"scenario",
           {{"name", plan.base.name},
            {"file", plan.base.source.string()},
            {"seed", plan.base.seed},
            {"replications", plan.base.replications},
            {"resolved_yaml", to_yaml(base)}}},
          {"axes", axes_json(plan.axes)},
          {"points", plan.points.size()}};
}

// The point a point's difference is taken to: the first value of the first
// axis (the one the report charts along) with every other axis as at the
// point. In a one-axis sweep, point 0. The first axis varies slowest, so the
// points of its first value are the first `stride` ones.
std::size_t baseline_point(const SweepPlan& plan, std::size_t i) {
  const std::size_t first = plan.axes.front().grid().size();
  const std::size_t stride =
      std::max<std::size_t>(1, plan.points.size() / std::max<std::size_t>(1, first));
  return i % stride;
}

// Metric m at point p minus at its baseline point, replication by
// replication: the points share their random streams, so this is far
// tighter than comparing the two intervals.
Interval paired_difference(const SweepPointResult& first, const SweepPointResult& p,
                           std::size_t m) {
  std::vector<double> d;
  for (std::size_t r = 0; r < p.replications.size() && r < first.replications.size(); ++r) {
    d.push_back(p.replications[r][m] - first.replications[r][m]);
  }
  return summarize(d);
}

}  // namespace

void write_sweep(const SweepResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  std::string keys;
  for (const auto& a : plan.axes) keys.append(",").append(csv_field(a.key));
  std::ostringstream all, summary;
  all << "point" << keys << ",replication,seed,metric,unit,value\n";
  summary << "point" << keys
          << ",metric,unit,n,mean,sd,ci95_low,ci95_high,baseline_point,diff_mean,diff_ci95_low,"
             "diff_ci95_high\n";
  json points = json::array();
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    std::string at = std::to_string(i);
    for (const auto& v : plan.points[i].values)
      at.append(",").append(csv_field(detail::yaml_unquote(v)));
    const SweepPointResult& p = r.points[i];
    const std::size_t baseline = baseline_point(plan, i);
    json metrics = json::object();
    for (std::size_t m = 0; m < metric_info().size(); ++m) {
      const auto& info = metric_info()[m];
      for (std::size_t rep = 0; rep < p.replications.size(); ++rep) {
        all << at << "," << rep << "," << p.seeds[rep] << "," << info.name << "," << info.unit
            << "," << detail::csv_number(p.replications[rep][m]) << "\n";
      }
      const Interval& iv = p.metrics[m];
      const Interval diff = paired_difference(r.points[baseline], p, m);
      summary << at << "," << info.name << "," << info.unit << "," << iv.n << ","
              << detail::csv_number(iv.mean) << "," << detail::csv_number(iv.sd) << ","
              << detail::csv_number(iv.lo) << "," << detail::csv_number(iv.hi) << "," << baseline
              << "," << detail::csv_number(diff.mean) << "," << detail::csv_number(diff.lo) << ","
              << detail::csv_number(diff.hi) << "\n";
      json mj = detail::interval_json(iv);
      mj["unit"] = info.unit;
      mj["paired_difference"] = detail::interval_json(diff);
      metrics[info.name] = mj;
    }
    json values = json::array();
    for (const auto& v : plan.points[i].values) values.push_back(detail::yaml_unquote(v));
    points.push_back(
        {{"point", i}, {"values", values}, {"baseline_point", baseline}, {"metrics", metrics}});
  }
  json done = manifest(plan);
  done["status"] = "complete";
  done["units"] = "money in fen (1/100 RMB); shares in [0, 1]";
  done["paired_difference"] =
      "each point minus its baseline_point, replication by replication: the point with the "
      "first axis (" +
      plan.axes.front().key + ") at its first value and every other axis as at the point";
  done["results"] = points;
  detail::Staged files;  // all three or none; sweep.json, the mark of a finished sweep, last
  files.add(dir / "sweep.csv", all.str());
  files.add(dir / "sweep_summary.csv", summary.str());
  files.add(dir / "sweep.json", done.dump(2) + "\n");
  files.commit();
}

SweepPlan plan_sweep(const fs::path& file, const std::vector<std::string>& overrides,
                     const std::vector<std::string>& vary) {
  SweepPlan plan;
  plan.base = load_scenario(file, overrides, vary);
  plan.axes = plan.base.sweep;
  if (plan.axes.empty()) {
    throw ScenarioError({file.string() +
                         ":1:1: sweep: nothing to vary (expected --vary KEY=v1,v2,... or "
                         "KEY=FROM:TO:POINTS, or a sweep block in the scenario)"});
  }
  std::vector<std::vector<std::string>> grids;
  std::size_t count = 1;
  for (const auto& a : plan.axes) {
    grids.push_back(a.grid());
    count *= grids.back().size();
  }
  if (count > 100000) {
    throw ScenarioError({file.string() + ":1:1: sweep: " + std::to_string(count) +
                         " points (expected at most 100000; split the sweep)"});
  }
  // Each point: the file read once, its sweep block dropped (its values were
  // checked with the base) and the point's values set over it.
  const std::string text = detail::read_text(file);
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::string fingerprint = version() + "\n" + git_commit() + "\n";
  for (std::size_t i = 0; i < count; ++i) {
    SweepPoint p;
    p.index = static_cast<int>(i);
    std::vector<std::string> sets = overrides;
    sets.push_back("sweep=[]");
    // The first axis varies slowest, as in nested loops written in axis order.
    std::size_t rest = i;
    std::vector<std::size_t> at(grids.size());
    for (std::size_t a = grids.size(); a-- > 0;) {
      at[a] = rest % grids[a].size();
      rest /= grids[a].size();
    }
    for (std::size_t a = 0; a < grids.size(); ++a) {
      p.values.push_back(grids[a][at[a]]);
      sets.push_back(plan.axes[a].key + "=" + grids[a][at[a]]);
    }
    try {
      p.scenario = load_scenario_text(text, file, sets);
    } catch (const ScenarioError& e) {
      for (const auto& msg : e.problems()) {
        if (seen.insert(msg).second) problems.push_back(msg);
      }
      continue;
    }
    fingerprint += to_yaml(p.scenario);
    plan.points.push_back(std::move(p));
  }
  if (!problems.empty()) throw ScenarioError(problems);
  plan.fingerprint = detail::fnv1a_hex(fingerprint);
  return plan;
}

SweepResult run_sweep(const SweepPlan& plan, const fs::path& dir, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SweepResult result;
  result.plan = plan;
  result.points = detail::run_points(plan, dir, "sweep.json", manifest(plan), options);
  if (!dir.empty() && detail::ensemble_of(options).writes_files()) write_sweep(result, dir);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace linksim
