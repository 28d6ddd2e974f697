// `linksim run SCENARIO`: replications of one scenario; files and a table.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "linksim/distributed.hpp"
#include "linksim/experiment.hpp"

namespace linksim::cli {

int run_command(const std::string& file, const CommonOptions& o) {
  Scenario s;
  if (!load(file, o, s)) return exit_invalid;
  RunOptions opts;
  opts.threads = thread_count(o);
  opts.progress = progress_reporter(o, s.name);
  opts.cancel = install_signal_handlers();
  opts.partition_buyers = o.partition_buyers;
  if (!s.sweep.empty()) {
    spdlog::info("{} has a sweep block; run ignores it (linksim sweep runs it)", file);
  }
  if (!memory_fits(s, opts, o)) return exit_invalid;
  spdlog::info("running {}: {} replications of {} days, {} buyers, {} threads", s.name,
               s.replications, s.calendar.days, s.population.buyers, opts.threads);
  const RunResult r = run(s, opts);
  end_progress(o);
  const std::string dir = o.out.empty() ? "out/" + s.name : o.out;
  write_run(r, dir);
  if (o.report && distributed_rank() == 0)
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  std::cout << run_table(r) << "\n" << monthly_table(r);
  spdlog::info(
      "{:.1f}s; wrote {}/summary.json, timeseries.csv, monthly.csv, replications.csv, "
      "scenario.yaml",
      r.seconds, dir);
  return exit_ok;
}

int compare_command(const std::vector<std::string>& files, const CommonOptions& o) {
  std::vector<Scenario> scenarios(files.size());
  bool ok = true;
  for (std::size_t i = 0; i < files.size(); ++i) ok = load(files[i], o, scenarios[i]) && ok;
  if (!ok) return exit_invalid;
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    if (scenarios[i].seed != scenarios[0].seed) {
      spdlog::warn("{} has seed {}; it runs with {}'s seed {} so that the runs are paired",
                   scenarios[i].name, scenarios[i].seed, scenarios[0].name, scenarios[0].seed);
    }
  }
  RunOptions opts;
  opts.threads = thread_count(o);
  std::string label;
  for (const auto& s : scenarios) label += (label.empty() ? "" : " vs ") + s.name;
  opts.progress = progress_reporter(o, label, "scenario");
  opts.cancel = install_signal_handlers();
  for (const auto& s : scenarios) {
    RunOptions each = opts;
    each.replications = scenarios[0].replications;
    each.threads *= 2;  // a shared warm-up keeps its world beside each scenario's copy
    if (!memory_fits(s, each, o)) return exit_invalid;
  }
  spdlog::info("comparing {}: {} replications each, {} threads", label,
               o.replications > 0 ? o.replications : scenarios[0].replications, opts.threads);
  const Comparison c = compare(scenarios, opts);
  end_progress(o);
  std::string dir = o.out;
  if (dir.empty()) {
    dir = "out/compare";
    for (const auto& s : scenarios) dir += "-" + s.name;
  }
  // One folder per scenario (a name used twice gets its position as a suffix),
  // all written before any is renamed into place.
  write_comparison(c, dir);
  if (o.report && distributed_rank() == 0)
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  std::cout << comparison_table(c);
  double seconds = 0;
  for (const auto& r : c.runs) seconds += r.seconds;
  spdlog::info("{:.1f}s; wrote {}/comparison.json, comparison.csv and one folder per scenario",
               seconds, dir);
  return exit_ok;
}

int sweep_command(const std::string& file, const CommonOptions& o) {
  SweepPlan plan;
  std::string problem;
  try {
    plan = plan_sweep(file, scenario_overrides(o), o.vary);
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  if (!no_problem(problem)) return exit_invalid;
  const std::string dir = o.out.empty() ? "out/sweep-" + plan.base.name : o.out;
  RunOptions opts;
  opts.threads = thread_count(o);
  opts.progress = progress_reporter(o, "sweep " + plan.base.name, "point");
  opts.cancel = install_signal_handlers();
  // Points run one after another: the largest world decides (one check, not one per point).
  const SweepPoint* largest = &plan.points.front();
  for (const auto& p : plan.points) {
    if (world_bytes(p.scenario) > world_bytes(largest->scenario)) largest = &p;
  }
  if (!memory_fits(largest->scenario, opts, o)) return exit_invalid;
  std::string axes;
  for (const auto& a : plan.axes) {
    axes += (axes.empty() ? "" : " x ") + a.key + " (" + std::to_string(a.grid().size()) + ")";
  }
  spdlog::info("sweeping {}: {} = {} points, {} replications each, {} threads, into {}",
               plan.base.name, axes, plan.points.size(), plan.base.replications, opts.threads, dir);
  SweepResult r;
  try {
    r = run_sweep(plan, dir, opts);
  } catch (const SweepMismatch& e) {
    spdlog::error("{}", e.what());
    return exit_invalid;
  } catch (const Cancelled& e) {
    end_progress(o);
    spdlog::warn(
        "interrupted; the finished points are kept in {}/points: run the same command "
        "again to resume",
        dir);
    return exit_for_signal(e.signal);
  }
  end_progress(o);
  if (o.report && distributed_rank() == 0)
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  std::cout << sweep_table(r);
  int resumed = 0;
  for (const auto& p : r.points) resumed += p.resumed ? 1 : 0;
  spdlog::info(
      "{:.1f}s ({} points read from an earlier run); wrote {}/sweep.csv, "
      "sweep_summary.csv, sweep.json",
      r.seconds, resumed, dir);
  return exit_ok;
}

int report_command(const std::vector<std::string>& dirs, const CommonOptions& o) {
  std::vector<std::filesystem::path> folders(dirs.begin(), dirs.end());
  const std::filesystem::path file =
      !o.out.empty() ? std::filesystem::path(o.out)
                     : (folders.size() == 1 ? folders.front() / "report.html" : "report.html");
  write_report(folders, file);
  spdlog::info("wrote {}", file.string());
  return exit_ok;
}

}  // namespace linksim::cli
