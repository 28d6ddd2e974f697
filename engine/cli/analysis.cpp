// `linksim sensitivity SCENARIO`: global sensitivity analysis; files and a ranking.
#include "linksim/analysis.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"

namespace linksim::cli {

int sensitivity_command(const std::string& file, const SensitivityOptions& s,
                        const CommonOptions& o) {
  std::vector<std::string> sets = scenario_overrides(o);
  if (!s.method.empty()) sets.push_back("sensitivity.method=" + s.method);
  if (s.samples) sets.push_back("sensitivity.samples=" + std::to_string(*s.samples));
  if (s.levels) sets.push_back("sensitivity.levels=" + std::to_string(*s.levels));
  if (s.bootstrap) sets.push_back("sensitivity.bootstrap=" + std::to_string(*s.bootstrap));
  // Optionals, not default-constructed values: g++ 12 warns (wrongly) about
  // the inlined default Scenario otherwise.
  std::optional<SensitivityPlan> planned;
  try {
    planned.emplace(plan_sensitivity(file, sets, o.vary, s.compare));
  } catch (const ScenarioError& e) {
    print_problems(file, e);
    return exit_invalid;
  }
  const SensitivityPlan& plan = *planned;
  const std::string dir = o.out.empty() ? "out/sensitivity-" + plan.base.name : o.out;
  RunOptions opts;
  opts.threads = thread_count(o);
  opts.progress = progress_reporter(o, "sensitivity " + plan.base.name, "point");
  opts.cancel = install_signal_handlers();
  const SweepPoint* largest = &plan.points.points.front();
  for (const auto& p : plan.points.points) {
    if (world_bytes(p.scenario) > world_bytes(largest->scenario)) largest = &p;
  }
  if (!memory_fits(largest->scenario, opts, o)) return exit_invalid;
  spdlog::info(
      "{} of {}: {} factors, {} design rows{}, {} points of {} replications, {} threads, "
      "into {}",
      plan.method, plan.base.name, plan.factors.size(), plan.rows,
      plan.compare.empty() ? "" : " (each run with " + plan.compare.string() + ")",
      plan.points.points.size(), plan.base.replications, opts.threads, dir);
  std::optional<SensitivityResult> r;
  try {
    r.emplace(run_sensitivity(plan, dir, opts));
  } catch (const SweepMismatch& e) {
    spdlog::error("{}", e.what());
    return exit_invalid;
  } catch (const Cancelled& e) {
    end_progress(o);
    spdlog::warn(
        "interrupted; the finished points are kept in {}/points: run the same command again "
        "to resume",
        dir);
    return exit_for_signal(e.signal);
  }
  end_progress(o);
  std::cout << sensitivity_table(*r);
  spdlog::info("{:.1f}s; wrote {}/sensitivity.csv, sensitivity_design.csv, sensitivity.json",
               r->seconds, dir);
  return exit_ok;
}

}  // namespace linksim::cli
