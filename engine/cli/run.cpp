// `linksim run SCENARIO`: replications of one scenario; files and a table.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "linksim/experiment.hpp"

namespace linksim::cli {

int run_command(const std::string& file, const CommonOptions& o) {
  Scenario s;
  if (!load(file, o, s)) return exit_invalid;
  RunOptions opts;
  opts.threads = thread_count(o);
  opts.progress = progress_reporter(o, s.name);
  spdlog::info("running {}: {} replications of {} days, {} buyers, {} threads", s.name,
               s.replications, s.calendar.days, s.population.buyers, opts.threads);
  const RunResult r = run(s, opts);
  end_progress(o);
  const std::string dir = o.out.empty() ? "out/" + s.name : o.out;
  write_run(r, dir);
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
  opts.progress = progress_reporter(o, label);
  spdlog::info("comparing {}: {} replications each, {} threads", label,
               o.replications > 0 ? o.replications : scenarios[0].replications, opts.threads);
  const Comparison c = compare(scenarios, opts);
  end_progress(o);
  std::string dir = o.out;
  if (dir.empty()) {
    dir = "out/compare";
    for (const auto& s : scenarios) dir += "-" + s.name;
  }
  // One folder per scenario; a name used twice gets its position as a suffix.
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    std::string folder = c.runs[i].scenario.name;
    for (std::size_t j = 0; j < i; ++j) {
      if (c.runs[j].scenario.name == folder) folder += "-" + std::to_string(i + 1);
    }
    write_run(c.runs[i], std::filesystem::path(dir) / folder);
  }
  write_comparison(c, dir);
  std::cout << comparison_table(c);
  double seconds = 0;
  for (const auto& r : c.runs) seconds += r.seconds;
  spdlog::info("{:.1f}s; wrote {}/comparison.json, comparison.csv and one folder per scenario",
               seconds, dir);
  return exit_ok;
}

}  // namespace linksim::cli
