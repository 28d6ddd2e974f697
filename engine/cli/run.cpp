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
  RunOptions opts = run_options(o);
  opts.progress = progress_reporter(o, s.name);
  opts.cancel = install_signal_handlers();
  opts.partition_buyers = o.partition_buyers;
  if (!s.sweep.empty()) {
    spdlog::info("{} has a sweep block; run ignores it (linksim sweep runs it)", file);
  }
  if (!memory_fits(s, opts, o)) return exit_invalid;
  if (!work_fits(s.name, buyer_days(s), opts.threads, o)) return exit_invalid;
  const std::string dir = o.out.empty() ? "out/" + s.name : o.out;
  int refused = exit_ok;
  const auto earlier = prepare_output(dir, o, refused);
  if (!earlier) return refused;
  spdlog::info("running {}: {} of {} days, {} buyers, {}", s.name,
               count_of(s.replications, "replication"), s.calendar.days, s.population.buyers,
               count_of(opts.threads, "thread"));
  const RunResult r = run(s, opts);
  end_progress(o);
  if (ensemble().writes_files()) {  // under MPI every rank holds the results; rank 0 writes
    write_run(r, dir);
    if (o.report) write_report({dir}, std::filesystem::path(dir) / "report.html");
  }
  remove_stale(*earlier);
  std::cout << run_table(r) << "\n" << monthly_table(r);
  spdlog::info(
      "{:.1f}s; wrote {}/summary.json, timeseries.csv, monthly.csv, quarterly.csv, "
      "search_by_category.csv, replications.csv, scenario.yaml{}",
      r.seconds, dir, o.report ? ", report.html" : "");
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
  RunOptions opts = run_options(o);
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
  double work = 0;
  for (const auto& s : scenarios) {
    work += buyer_days(s) / s.replications * scenarios[0].replications;
  }
  if (!work_fits("compare " + label, work, opts.threads, o)) return exit_invalid;
  std::string dir = o.out;
  if (dir.empty()) {
    dir = "out/compare";
    for (const auto& s : scenarios) dir += "-" + s.name;
  }
  int refused = exit_ok;
  const auto earlier = prepare_output(dir, o, refused);
  if (!earlier) return refused;
  spdlog::info(
      "comparing {}: {} each, {}", label,
      count_of(o.replications > 0 ? o.replications : scenarios[0].replications, "replication"),
      count_of(opts.threads, "thread"));
  const Comparison c = compare(scenarios, opts);
  end_progress(o);
  // One folder per scenario (a name used twice gets its position as a suffix),
  // all written before any is renamed into place.
  if (ensemble().writes_files()) {
    write_comparison(c, dir);
    if (o.report) write_report({dir}, std::filesystem::path(dir) / "report.html");
  }
  remove_stale(*earlier);
  std::cout << comparison_table(c, stdout_columns());
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
    // The grid's size from the axes alone, before any point is resolved
    // (each costs as much as loading the scenario).
    const Scenario base = load_scenario(file, scenario_overrides(o), o.vary);
    double points = 1;
    for (const auto& a : base.sweep) {
      points *=
          a.points > 0 ? a.points : static_cast<double>(std::max<std::size_t>(1, a.values.size()));
    }
    if (!design_fits(base, "sweep", points, o)) return exit_invalid;
    plan = plan_sweep(file, scenario_overrides(o), o.vary);
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  if (!no_problem(problem)) return exit_invalid;
  const std::string dir = o.out.empty() ? "out/sweep-" + plan.base.name : o.out;
  RunOptions opts = run_options(o);
  opts.progress = progress_reporter(o, "sweep " + plan.base.name, "point");
  opts.cancel = install_signal_handlers();
  // Points run one after another: the largest world decides (one check, not one per point).
  const SweepPoint* largest = &plan.points.front();
  for (const auto& p : plan.points) {
    if (world_bytes(p.scenario) > world_bytes(largest->scenario)) largest = &p;
  }
  if (!memory_fits(largest->scenario, opts, o)) return exit_invalid;
  if (!output_writable(dir)) return exit_failure;
  std::string axes;
  for (const auto& a : plan.axes) {
    axes += (axes.empty() ? "" : " x ") + a.key + " (" + std::to_string(a.grid().size()) + ")";
  }
  spdlog::info("sweeping {}: {} = {}, {} each, {}, into {}", plan.base.name, axes,
               count_of(static_cast<long long>(plan.points.size()), "point"),
               count_of(plan.base.replications, "replication"), count_of(opts.threads, "thread"),
               dir);
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
  if (o.report && ensemble().writes_files())
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  std::cout << sweep_table(r, stdout_columns());
  int resumed = 0;
  for (const auto& p : r.points) resumed += p.resumed ? 1 : 0;
  spdlog::info(
      "{:.1f}s ({} points read from an earlier run); wrote {}/sweep.csv, "
      "sweep_summary.csv, sweep.json",
      r.seconds, resumed, dir);
  return exit_ok;
}

int report_command(const std::vector<std::string>& dirs, const CommonOptions& o) {
  namespace fs = std::filesystem;
  std::vector<fs::path> folders(dirs.begin(), dirs.end());
  // Beside its inputs: in the folder, or in the folder that holds them all.
  fs::path common = fs::absolute(folders.front()).lexically_normal().parent_path();
  for (const auto& f : folders) {
    const fs::path p = fs::absolute(f).lexically_normal();
    while (!common.empty() && common != common.root_path() &&
           std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first != common.end()) {
      common = common.parent_path();
    }
  }
  const fs::path file = !o.out.empty()        ? fs::path(o.out)
                        : folders.size() == 1 ? folders.front() / "report.html"
                                              : common / "report.html";
  if (ensemble().writes_files()) write_report(folders, file);
  spdlog::info("wrote {}", file.string());
  return exit_ok;
}

Command add_run_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("run",
                                     "Run a scenario's replications and report GMV, "
                                     "retention and more with 95% intervals");
  cmd->add_option("scenario", a->file, "Scenario file (YAML)")->required();
  add_scenario_options(*cmd, o);
  add_run_options(*cmd, o, "out/<scenario name>/");
  cmd->add_flag("--partition-buyers", o.partition_buyers,
                "Under mpirun (a LINKSIM_MPI build): split each world's buyers over the ranks, "
                "which simulate every replication together, exchanging each day's demand; the "
                "same results as one process");
  return {cmd, [a, &o] { return run_command(a->file, o); }};
}

Command add_compare_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::vector<std::string> files;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("compare",
                         "Run scenarios with common random numbers and report paired differences "
                         "against the first");
  cmd->add_option("scenarios", a->files, "Two or more scenario files; the first is the baseline")
      ->required()
      ->expected(2, 64);
  add_scenario_options(*cmd, o);
  add_run_options(*cmd, o, "out/compare-<first name>-<second name>.../");
  return {cmd, [a, &o] { return compare_command(a->files, o); }};
}

Command add_sweep_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of key values (--vary or its sweep block); resumable: run "
      "the same command again after an interruption");
  cmd->add_option("scenario", a->file, "Scenario file (YAML)")->required();
  add_scenario_options(*cmd, o);
  add_vary_option(*cmd, o);
  add_run_options(*cmd, o, "out/sweep-<scenario name>/");
  return {cmd, [a, &o] { return sweep_command(a->file, o); }};
}

Command add_report_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::vector<std::string> files;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write one self-contained report.html (charts, tables, opens offline) from the output "
      "folders of run, compare, sweep, sensitivity, calibrate or forecast");
  cmd->add_option("folders", a->files,
                  "Output folders of run, compare, sweep, sensitivity, calibrate or forecast")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", o.out,
                  "The HTML file (default: report.html in the folder, or ./report.html for "
                  "several)");
  return {cmd, [a, &o] { return report_command(a->files, o); }};
}

}  // namespace linksim::cli
