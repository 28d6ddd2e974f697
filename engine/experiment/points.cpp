// Running a set of scenarios resumably (sweep points, sensitivity designs):
// the folder's manifest says what is being run, with a fingerprint, from the
// start; each finished point is written at once to points/NNNNNN.json,
// atomically, with a checksum. A second call skips the points whose record is
// intact and matches, runs the others again, and refuses a folder of another
// set of points.
#include "experiment/points.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <exception>
#include <sstream>
#include <stdexcept>

#include "ensemble.hpp"
#include "metrics/files.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string point_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d.json", index);
  return buf;
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

}  // namespace

bool parse_point_payload(const SweepPlan& plan, int i, const json& payload, SweepPointResult& out,
                         std::string& why) {
  try {
    const json expected = point_payload(plan, i, SweepPointResult{});
    for (const char* k : {"point", "values", "scenario", "metrics"}) {
      if (payload.at(k) != expected.at(k)) {
        why = std::string("its ") + k + " differs";
        return false;
      }
    }
    const auto n = static_cast<std::size_t>(plan.points[i].scenario.replications);
    const json& reps = payload.at("replications");
    if (!reps.is_array()) {
      why = "its replications are not a list";
      return false;
    }
    if (reps.size() != n) {
      why = "it holds " + std::to_string(reps.size()) + " replications, expected " +
            std::to_string(n);
      return false;
    }
    out = SweepPointResult{};
    for (const auto& r : reps) {
      // Only what linksim writes: a seed as a whole number, each metric a
      // number or null (undefined); anything else is damage, not a value.
      const json& seed = r.at("seed");
      const json& metrics = r.at("metrics");
      if (!seed.is_number_unsigned() || !metrics.is_array()) {
        why = "a replication's seed or metrics are not what linksim writes";
        return false;
      }
      out.seeds.push_back(seed.get<std::uint64_t>());
      std::vector<double> values;
      for (const auto& v : metrics) {
        if (!v.is_null() && !v.is_number()) {
          why = "a replication's metric is not a number";
          return false;
        }
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
  return true;
}

bool read_point_record(const SweepPlan& plan, int i, const std::string& text, SweepPointResult& out,
                       std::string& why) {
  try {
    const json record = json::parse(text);
    const json& payload = record.at("payload");
    if (record.at("checksum").get<std::string>() != detail::fnv1a_hex(payload.dump())) {
      why = "checksum mismatch";
      return false;
    }
    if (!parse_point_payload(plan, i, payload, out, why)) return false;
  } catch (const json::exception& e) {
    why = std::string("unreadable (") + e.what() + ")";
    return false;
  }
  out.resumed = true;
  return true;
}

namespace {

// Reads point i's record; false (with the reason) when absent, damaged or for another point.
bool read_point(const SweepPlan& plan, int i, const fs::path& dir, SweepPointResult& out,
                std::string& why) {
  const fs::path file = dir / "points" / point_name(i);
  if (!fs::exists(file)) return false;
  try {
    return read_point_record(plan, i, detail::read_text(file), out, why);
  } catch (const std::exception& e) {
    why = std::string("unreadable (") + e.what() + ")";
    return false;
  }
}

// Runs `step` (which may throw) on this rank, then agrees with the others:
// every rank throws when any failed (the failing one its own error).
template <class Step>
void agree(Ensemble& ensemble, Step&& step) {
  std::exception_ptr failure;
  try {
    step();
  } catch (...) {
    failure = std::current_exception();
  }
  if (ensemble.any(failure != nullptr)) {
    if (failure) std::rethrow_exception(failure);
    throw std::runtime_error("another MPI rank failed; its message is above");
  }
}

void summarize_point(SweepPointResult& p) {
  p.metrics.assign(metric_info().size(), {});
  std::vector<double> values(p.replications.size());
  for (std::size_t m = 0; m < p.metrics.size(); ++m) {
    for (std::size_t r = 0; r < values.size(); ++r) values[r] = p.replications[r][m];
    p.metrics[m] = summarize(values, metric_info()[m]);
  }
}

}  // namespace

std::vector<SweepPointResult> run_points(const SweepPlan& plan, const fs::path& dir,
                                         const std::string& manifest_file, const json& now,
                                         const RunOptions& options) {
  std::vector<SweepPointResult> results(plan.points.size());
  // Without a folder nothing is read or written: every point runs, in memory.
  const bool records = !dir.empty();
  if (records) check_same_points(dir, manifest_file, now);
  // Temporary files of a run killed mid-write (SIGKILL, a power cut): never
  // used, so cleared (by the rank that writes, under MPI; its failure to
  // write stops every rank).
  Ensemble& ensemble = detail::ensemble_of(options);
  agree(ensemble, [&] {
    if (!records || !ensemble.writes_files()) return;
    fs::create_directories(dir / "points");
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
  });

  std::vector<int> todo;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    std::string why;
    const int idx = static_cast<int>(i);
    if (records && read_point(plan, idx, dir, results[i], why)) continue;
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
  // Under MPI the points run side by side, one per rank, in batches of as many
  // points as ranks (each point's replications on its rank); each result
  // then goes to every rank as its record's payload, and rank 0 records it.
  const std::size_t batch = static_cast<std::size_t>(ensemble.size());
  opts.local = batch > 1;
  for (std::size_t k = 0; k < todo.size(); k += batch) {
    std::exception_ptr failure;
    const std::size_t mine = k + static_cast<std::size_t>(ensemble.rank());
    try {
      for (std::size_t j = k; j < std::min(todo.size(), k + batch); ++j) {
        if (batch > 1 && j != mine) continue;
        const int i = todo[j];
        opts.run_index = i;
        if (batch > 1) spdlog::debug("MPI rank {} of {} runs point {}", ensemble.rank(), batch, i);
        const RunResult r = run(plan.points[i].scenario, opts);
        SweepPointResult& p = results[i];
        for (const auto& rep : r.replications) {
          p.replications.push_back(rep.metrics);
          p.seeds.push_back(rep.seed);
        }
      }
    } catch (...) {
      failure = std::current_exception();
    }
    agree(ensemble, [&] {
      if (failure) std::rethrow_exception(failure);
    });
    for (std::size_t j = k; j < std::min(todo.size(), k + batch); ++j) {
      const int i = todo[j];
      if (batch > 1) {
        const int owner = static_cast<int>(j - k);
        std::string text =
            ensemble.rank() == owner ? point_payload(plan, i, results[i]).dump() : "";
        ensemble.broadcast(text, owner);
        std::string why;
        if (!parse_point_payload(plan, i, json::parse(text), results[i], why)) {
          throw std::runtime_error("point " + std::to_string(i) + " came back damaged: " + why);
        }
      }
      agree(ensemble, [&] {
        if (records && ensemble.writes_files()) write_point(plan, i, results[i], dir);
      });
      const Scenario& s = plan.points[i].scenario;
      opts.work_before +=
          static_cast<long>(s.replications) * (s.calendar.days + s.calendar.warmup_days);
      ++opts.runs_done;
      std::string values;
      for (std::size_t a = 0; a < plan.axes.size(); ++a) {
        values += (a ? ", " : "") + plan.axes[a].key + "=" + plan.points[i].values[a];
      }
      spdlog::debug("point {} done ({})", i, values);
    }
  }
  for (auto& p : results) summarize_point(p);
  return results;
}

}  // namespace linksim::detail
