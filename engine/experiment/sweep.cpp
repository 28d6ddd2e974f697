// Sweeps: the cartesian product of a scenario's sweep axes, each point run
// over the replications with the base seed, so that neighbouring points share
// their random streams and the curves are smooth (common random numbers).
//
// Resumable: the folder holds sweep.json (what is being swept, with a
// fingerprint) from the start, and points/NNNNNN.json for every finished point,
// written atomically with a checksum. A second call skips the points whose
// record is intact and matches, and refuses a folder of another sweep.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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

std::string point_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d.json", index);
  return buf;
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

std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string la, lb;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(x, la));
    const bool gb = static_cast<bool>(std::getline(y, lb));
    if (!ga && !gb) return "";
    if (!ga || !gb || la != lb)
      return "'" + (ga ? la : "") + "' there, '" + (gb ? lb : "") + "' now";
  }
}

}  // namespace

namespace detail {

// Refuses `dir` when its manifest (sweep.json, sensitivity.json) is of another
// set of points; says what differs.
void check_same_points(const fs::path& dir, const std::string& manifest_file, const json& now) {
  const fs::path file = dir / manifest_file;
  if (!fs::exists(file)) return;
  json old;
  try {
    old = json::parse(detail::read_text(file));
  } catch (const json::exception&) {
    throw SweepMismatch(file.string() +
                        " is unreadable, so the finished points there cannot be trusted (expected "
                        "a " +
                        manifest_file +
                        " written by linksim; use another --out folder or delete it)");
  }
  if (old.value("fingerprint", "") == now["fingerprint"]) return;
  std::string why;
  if (old.value("axes", json()) != now["axes"]) {
    why = "the axes differ (" + old.value("axes", json()).dump() + " there, " + now["axes"].dump() +
          " now)";
  } else if (now.contains("design") && old.value("design", json()) != now["design"]) {
    why = "the design differs (" + old.value("design", json()).dump() + " there, " +
          now["design"].dump() + " now)";
  } else if (old["scenario"].value("resolved_yaml", "") != now["scenario"]["resolved_yaml"]) {
    why = "the scenario differs (file, --set, --seed or --replications: " +
          first_difference(old["scenario"].value("resolved_yaml", ""),
                           now["scenario"]["resolved_yaml"]) +
          ")";
  } else if (old.value("linksim", json()) != now["linksim"]) {
    why = "it was made by linksim " + old["linksim"].dump() + ", this is " + now["linksim"].dump();
  } else {
    why = "a point's scenario differs";
  }
  throw SweepMismatch(dir.string() + " holds a different " +
                      (manifest_file == "sweep.json" ? "sweep" : "analysis") + ": " + why +
                      "; use another --out folder, or delete it to start over");
}

}  // namespace detail

namespace {

json point_payload(const SweepPlan& plan, int i, const SweepPointResult& p) {
  json reps = json::array();
  for (std::size_t r = 0; r < p.replications.size(); ++r) {
    reps.push_back({{"seed", p.seeds[r]}, {"metrics", p.replications[r]}});
  }
  return {{"point", i},
          {"values", plan.points[i].values},
          {"scenario", detail::fnv1a_hex(to_yaml(plan.points[i].scenario))},
          {"metrics",
           [] {
             json names = json::array();
             for (const auto& m : metric_info()) names.push_back(m.name);
             return names;
           }()},
          {"replications", reps}};
}

void write_point(const SweepPlan& plan, int i, const SweepPointResult& p, const fs::path& dir) {
  const json payload = point_payload(plan, i, p);
  const json record{{"payload", payload}, {"checksum", detail::fnv1a_hex(payload.dump())}};
  write_file_atomic(dir / "points" / point_name(i), record.dump() + "\n");
}

// Reads point i's record; false (with the reason) when absent, damaged or for another point.
bool read_point(const SweepPlan& plan, int i, const fs::path& dir, SweepPointResult& out,
                std::string& why) {
  const fs::path file = dir / "points" / point_name(i);
  if (!fs::exists(file)) return false;
  try {
    const json record = json::parse(detail::read_text(file));
    const json& payload = record.at("payload");
    if (record.at("checksum").get<std::string>() != detail::fnv1a_hex(payload.dump())) {
      why = "checksum mismatch";
      return false;
    }
    const json expected = point_payload(plan, i, SweepPointResult{});
    for (const char* k : {"point", "values", "scenario", "metrics"}) {
      if (payload.at(k) != expected.at(k)) {
        why = std::string("its ") + k + " differs";
        return false;
      }
    }
    const auto n = static_cast<std::size_t>(plan.points[i].scenario.replications);
    const json& reps = payload.at("replications");
    if (reps.size() != n) {
      why = "it holds " + std::to_string(reps.size()) + " replications, expected " +
            std::to_string(n);
      return false;
    }
    out = SweepPointResult{};
    for (const auto& r : reps) {
      out.seeds.push_back(r.at("seed").get<std::uint64_t>());
      std::vector<double> values;
      for (const auto& v : r.at("metrics")) {
        values.push_back(v.is_null() ? std::nan("") : v.get<double>());
      }
      if (values.size() != metric_info().size()) {
        why = "a replication has the wrong number of metrics";
        return false;
      }
      out.replications.push_back(std::move(values));
    }
  } catch (const json::exception& e) {
    why = std::string("unreadable (") + e.what() + ")";
    return false;
  }
  out.resumed = true;
  return true;
}

void summarize_point(SweepPointResult& p) {
  p.metrics.assign(metric_info().size(), {});
  std::vector<double> values(p.replications.size());
  for (std::size_t m = 0; m < p.metrics.size(); ++m) {
    for (std::size_t r = 0; r < values.size(); ++r) values[r] = p.replications[r][m];
    p.metrics[m] = summarize(values);
  }
}

// Metric m at point p minus at point 0, replication by replication: the
// points share their random streams, so this is far tighter than comparing
// the two intervals.
Interval paired_difference(const SweepPointResult& first, const SweepPointResult& p,
                           std::size_t m) {
  std::vector<double> d;
  for (std::size_t r = 0; r < p.replications.size() && r < first.replications.size(); ++r) {
    d.push_back(p.replications[r][m] - first.replications[r][m]);
  }
  return summarize(d);
}

void write_outputs(const SweepResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  std::string keys;
  for (const auto& a : plan.axes) keys.append(",").append(csv_field(a.key));
  std::ostringstream all, summary;
  all << "point" << keys << ",replication,seed,metric,unit,value\n";
  summary << "point" << keys
          << ",metric,unit,n,mean,sd,ci95_low,ci95_high,diff_mean,diff_ci95_low,diff_ci95_high\n";
  json points = json::array();
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    std::string at = std::to_string(i);
    for (const auto& v : plan.points[i].values)
      at.append(",").append(csv_field(detail::yaml_unquote(v)));
    const SweepPointResult& p = r.points[i];
    json metrics = json::object();
    for (std::size_t m = 0; m < metric_info().size(); ++m) {
      const auto& info = metric_info()[m];
      for (std::size_t rep = 0; rep < p.replications.size(); ++rep) {
        all << at << "," << rep << "," << p.seeds[rep] << "," << info.name << "," << info.unit
            << "," << detail::csv_number(p.replications[rep][m]) << "\n";
      }
      const Interval& iv = p.metrics[m];
      const Interval diff = paired_difference(r.points.front(), p, m);
      summary << at << "," << info.name << "," << info.unit << "," << iv.n << ","
              << detail::csv_number(iv.mean) << "," << detail::csv_number(iv.sd) << ","
              << detail::csv_number(iv.lo) << "," << detail::csv_number(iv.hi) << ","
              << detail::csv_number(diff.mean) << "," << detail::csv_number(diff.lo) << ","
              << detail::csv_number(diff.hi) << "\n";
      json mj = detail::interval_json(iv);
      mj["unit"] = info.unit;
      mj["paired_difference_to_point_0"] = detail::interval_json(diff);
      metrics[info.name] = mj;
    }
    json values = json::array();
    for (const auto& v : plan.points[i].values) values.push_back(detail::yaml_unquote(v));
    points.push_back({{"point", i}, {"values", values}, {"metrics", metrics}});
  }
  json done = manifest(plan);
  done["status"] = "complete";
  done["units"] = "money in fen (1/100 RMB); shares in [0, 1]";
  done["results"] = points;
  detail::Staged files;  // all three or none; sweep.json, the mark of a finished sweep, last
  files.add(dir / "sweep.csv", all.str());
  files.add(dir / "sweep_summary.csv", summary.str());
  files.add(dir / "sweep.json", done.dump(2) + "\n");
  files.commit();
}

}  // namespace

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

namespace detail {

std::vector<SweepPointResult> run_points(const SweepPlan& plan, const fs::path& dir,
                                         const std::string& manifest_file, const json& now,
                                         const RunOptions& options) {
  std::vector<SweepPointResult> results(plan.points.size());
  check_same_points(dir, manifest_file, now);
  fs::create_directories(dir / "points");
  // Temporary files of a run killed mid-write (SIGKILL, a power cut): never
  // used, so cleared.
  for (const auto& folder : {dir, dir / "points"}) {
    for (const auto& e : fs::directory_iterator(folder)) {
      if (e.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(e.path());
    }
  }
  if (!fs::exists(dir / manifest_file)) {  // a finished run keeps its files until replaced
    json running = now;
    running["status"] = "running";
    write_file_atomic(dir / manifest_file, running.dump(2) + "\n");
  }

  std::vector<int> todo;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    std::string why;
    const int idx = static_cast<int>(i);
    if (read_point(plan, idx, dir, results[i], why)) continue;
    if (!why.empty()) {
      spdlog::warn("point {}: its record {} is damaged ({}); running it again", i,
                   (dir / "points" / point_name(idx)).string(), why);
    }
    todo.push_back(idx);
  }
  const int resumed = static_cast<int>(plan.points.size() - todo.size());
  if (resumed > 0) {
    spdlog::info("resuming {}: {} of {} points already done", dir.string(), resumed,
                 plan.points.size());
  }
  RunOptions opts = options;
  opts.replications = 0;  // each point's scenario carries its replications
  opts.run_count = static_cast<int>(plan.points.size());
  opts.runs_done = resumed;
  for (int i : todo) {
    const Scenario& s = plan.points[i].scenario;
    opts.work_total +=
        static_cast<long>(s.replications) * (s.calendar.days + s.calendar.warmup_days);
  }
  for (int i : todo) {
    const Scenario& s = plan.points[i].scenario;
    opts.run_index = i;
    RunResult r = run(s, opts);
    SweepPointResult& p = results[i];
    for (const auto& rep : r.replications) {
      p.replications.push_back(rep.metrics);
      p.seeds.push_back(rep.seed);
    }
    write_point(plan, i, p, dir);
    opts.work_before +=
        static_cast<long>(s.replications) * (s.calendar.days + s.calendar.warmup_days);
    ++opts.runs_done;
    std::string values;
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      values += (a ? ", " : "") + plan.axes[a].key + "=" + plan.points[i].values[a];
    }
    spdlog::debug("point {} done ({}) in {:.1f}s", i, values, r.seconds);
  }
  for (auto& p : results) summarize_point(p);
  return results;
}

}  // namespace detail

SweepResult run_sweep(const SweepPlan& plan, const fs::path& dir, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SweepResult result;
  result.plan = plan;
  result.points = detail::run_points(plan, dir, "sweep.json", manifest(plan), options);
  write_outputs(result, dir);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace linksim
