// `linksim sensitivity SCENARIO`: global sensitivity analysis; files and a
// ranking. `linksim calibrate SCENARIO`: a fit to an observed series.
#include "linksim/analysis.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "linksim/distributed.hpp"

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
  std::string problem;
  try {
    // The design's size from the scenario's sensitivity block alone, before
    // any point is resolved.
    const Scenario base = load_scenario(file, sets, o.vary, Vary::sensitivity);
    const auto& sb = base.sensitivity;
    const double k = static_cast<double>(sb.factors.size());
    const bool morris = sb.method != "sobol";
    const double samples = sb.samples > 0 ? sb.samples : morris ? 10 : 128;
    const double points =
        samples * (morris ? k + 1 : k + 2) * (s.compare.empty() && sb.compare.empty() ? 1 : 2);
    if (!design_fits(base, "sensitivity", points, o)) return exit_invalid;
    planned.emplace(plan_sensitivity(file, sets, o.vary, s.compare));
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  if (!no_problem(problem)) return exit_invalid;
  const SensitivityPlan& plan = *planned;
  const std::string dir = o.out.empty() ? "out/sensitivity-" + plan.base.name : o.out;
  if (!output_writable(dir)) return exit_failure;
  RunOptions opts = run_options(o);
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
  if (o.report && ensemble().writes_files())
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  spdlog::info("{:.1f}s; wrote {}/sensitivity.csv, sensitivity_design.csv, sensitivity.json",
               r->seconds, dir);
  return exit_ok;
}

namespace {

int abc_command(const std::string& file, const CalibrationPlan& plan, const std::string& dir,
                RunOptions opts, const CommonOptions& o) {
  const Calibration& c = plan.base.calibration;
  spdlog::info(
      "calibrating {} to {} ({} rows) by abc-smc: {} free keys, {} particles, at most {} "
      "generations, {} threads, into {}",
      plan.base.name, plan.target_file.string(), plan.target.size(), plan.free.size(), c.particles,
      c.generations, opts.threads, dir);
  opts.progress = progress_reporter(o, "abc-smc " + plan.base.name);
  std::optional<AbcResult> r;
  try {
    r.emplace(run_abc(plan, dir, opts));
  } catch (const Cancelled& e) {
    end_progress(o);
    spdlog::warn(
        "interrupted; the simulations done are in {}/abc_journal.csv: the same command "
        "resumes from them",
        dir);
    return exit_for_signal(e.signal);
  } catch (const std::runtime_error& e) {
    end_progress(o);
    std::cerr << file << ":1:1: calibration: " << e.what() << "\n";
    return exit_invalid;
  }
  end_progress(o);
  std::cout << abc_table(*r);
  if (o.report && ensemble().writes_files())
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  spdlog::info(
      "{:.1f}s; wrote {}/posterior.json, posterior.csv, abc_particles.csv, abc_generations.csv, "
      "abc_fit.csv, calibrated.yaml",
      r->seconds, dir);
  return exit_ok;
}

}  // namespace

int calibrate_command(const std::string& file, const CalibrateOptions& c, const CommonOptions& o) {
  std::vector<std::string> sets = scenario_overrides(o);
  if (!c.method.empty()) sets.push_back("calibration.method=" + c.method);
  if (c.evaluations) sets.push_back("calibration.evaluations=" + std::to_string(*c.evaluations));
  if (c.bootstrap) sets.push_back("calibration.bootstrap=" + std::to_string(*c.bootstrap));
  if (c.tolerance) sets.push_back("calibration.tolerance=" + factor_value(*c.tolerance));
  if (c.particles) sets.push_back("calibration.particles=" + std::to_string(*c.particles));
  if (c.generations) sets.push_back("calibration.generations=" + std::to_string(*c.generations));
  std::optional<CalibrationPlan> planned;
  std::string problem;
  try {
    planned.emplace(plan_calibration(file, sets, o.vary, c.target));
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  if (!no_problem(problem)) return exit_invalid;
  const CalibrationPlan& plan = *planned;
  const std::string dir = o.out.empty() ? "out/calibrate-" + plan.base.name : o.out;
  if (!output_writable(dir)) return exit_failure;
  RunOptions opts = run_options(o);
  // Progress is the log line of each evaluation (the library's): the number
  // of evaluations is not known in advance.
  opts.cancel = install_signal_handlers();
  // The largest world the search may build: every key at the end of its range
  // that makes it largest is not known in advance; the ends are checked. A
  // rank whose point is invalid agrees with the others' memory check (the
  // same collective), so every rank stops together.
  try {
    for (std::size_t k = 0; k < plan.free.size(); ++k) {
      for (double v : {plan.free[k].from, plan.free[k].to}) {
        std::vector<double> values = plan.start;
        values[k] = v;
        if (!memory_fits(calibration_point(plan, values), opts, o)) return exit_invalid;
      }
    }
  } catch (const ScenarioError& e) {
    no_problem(problems_text(file, e));
    return exit_invalid;
  }
  {
    // NLopt: every evaluation runs every replication; abc-smc: each
    // simulation is one replication, particles x generations of them at the
    // least (rejected proposals come on top).
    const auto& cb = plan.base.calibration;
    const bool abc = cb.method == "abc-smc";
    const double work =
        abc ? buyer_days(plan.base) / plan.base.replications * cb.particles * cb.generations
            : buyer_days(plan.base) * cb.evaluations;
    if (!work_fits("calibration of " + plan.base.name, work, opts.threads, o)) {
      return exit_invalid;
    }
  }
  if (plan.base.calibration.method == "abc-smc") return abc_command(file, plan, dir, opts, o);
  spdlog::info(
      "calibrating {} to {} ({} rows): {} free keys, {} (at most {} evaluations of {} "
      "replications), {} threads, into {}",
      plan.base.name, plan.target_file.string(), plan.target.size(), plan.free.size(),
      plan.base.calibration.method, plan.base.calibration.evaluations, plan.base.replications,
      opts.threads, dir);
  std::optional<CalibrationResult> r;
  try {
    r.emplace(run_calibration(plan, dir, opts));
  } catch (const ScenarioError& e) {  // the same points on every rank: the same problem
    std::cerr << problems_text(file, e);
    return exit_invalid;
  } catch (const Cancelled& e) {
    end_progress(o);
    spdlog::warn("interrupted; nothing was written");
    return exit_for_signal(e.signal);
  }
  end_progress(o);
  std::cout << calibration_table(*r);
  if (o.report && ensemble().writes_files())
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  spdlog::info(
      "{:.1f}s; wrote {}/calibration.json, calibration_fit.csv, calibration_trace.csv, "
      "calibrated.yaml",
      r->seconds, dir);
  if (!r->converged) {
    spdlog::warn("{}", r->message);
    return exit_not_converged;
  }
  return exit_ok;
}

int forecast_command(const std::string& file, const ForecastOptions& f, const CommonOptions& o) {
  std::optional<ForecastPlan> planned;
  std::string problem;
  try {
    planned.emplace(plan_forecast(file, f.posterior, scenario_overrides(o), f.compare, f.draws));
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  if (!no_problem(problem)) return exit_invalid;
  const ForecastPlan& plan = *planned;
  const std::string dir = o.out.empty() ? "out/forecast-" + plan.scenario.name : o.out;
  int refused = exit_ok;
  const auto earlier = prepare_output(dir, o, refused);
  if (!earlier) return refused;
  RunOptions opts = run_options(o);
  opts.cancel = install_signal_handlers();
  opts.progress = progress_reporter(o, "forecast " + plan.scenario.name);
  spdlog::info("forecasting {}{} at {} posterior draws of {}, {} threads, into {}",
               plan.scenario.name, plan.other_file.empty() ? "" : " against " + plan.other.name,
               plan.draws, f.posterior, opts.threads, dir);
  std::optional<ForecastResult> r;
  try {
    r.emplace(run_forecast(plan, dir, opts));
  } catch (const Cancelled& e) {
    end_progress(o);
    spdlog::warn("interrupted; nothing was written");
    return exit_for_signal(e.signal);
  }
  end_progress(o);
  std::cout << forecast_table(*r);
  spdlog::info("{:.1f}s; wrote {}/forecast.json, quarterly.csv{}, yearly.csv, forecast_draws.csv",
               r->seconds, dir,
               plan.other_file.empty() ? "" : ", quarterly_compare.csv, quarterly_difference.csv");
  if (o.report && ensemble().writes_files())
    write_report({dir}, std::filesystem::path(dir) / "report.html");
  remove_stale(*earlier);
  return exit_ok;
}

Command add_sensitivity_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
    SensitivityOptions opts;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sensitivity",
      "Which assumptions drive the metrics (or, with --compare, the difference between two "
      "policies): Morris screening or Sobol' indices over --vary ranges; resumable");
  cmd->add_option("scenario", a->file, "Scenario file (YAML)")->required();
  add_scenario_options(*cmd, o);
  cmd->add_option("--vary", o.vary,
                  "A factor, KEY=FROM:TO (repeatable); replaces the scenario's "
                  "sensitivity.factors");
  cmd->add_option("--method", a->opts.method,
                  "morris (elementary effects: screening) or sobol (first and total indices)");
  cmd->add_option("--samples", a->opts.samples,
                  "Morris trajectories (default 10) or Sobol base samples N (default 128; "
                  "N x (factors + 2) points)");
  cmd->add_option("--levels", a->opts.levels, "Morris grid levels (even; default 4)");
  cmd->add_option("--bootstrap", a->opts.bootstrap,
                  "Bootstrap resamples for the 95% intervals (default 1000)");
  cmd->add_option("--compare", a->opts.compare,
                  "Another scenario: analyse the paired difference (it minus SCENARIO), "
                  "common random numbers");
  add_run_options(*cmd, o, "out/sensitivity-<scenario name>/");
  return {cmd, [a, &o] { return sensitivity_command(a->file, a->opts, o); }};
}

Command add_calibrate_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
    CalibrateOptions opts;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit free keys (--free KEY=FROM:TO) so that the model's monthly or quarterly metrics "
      "reproduce an observed series (--target CSV of "
      "period,metric,value[,weight][,unit][,note][,source]); "
      "exit 3 when the fit does not converge (the best fit is still written)");
  cmd->add_option("scenario", a->file, "Scenario file (YAML)")->required();
  add_scenario_options(*cmd, o);
  cmd->add_option("--free", o.vary,
                  "A key to fit, KEY=FROM:TO or, for abc-smc, KEY=FROM:TO:log_uniform "
                  "(repeatable); replaces the scenario's calibration.free");
  cmd->add_option("--target", a->opts.target,
                  "The observed series, a CSV of period (YYYY-MM or YYYY-Qn), metric (a "
                  "monthly.csv column), value and optional weight and unit");
  cmd->add_option("--method", a->opts.method,
                  "NLopt optimiser: bobyqa (default), neldermead or sbplx; or abc-smc, a "
                  "Bayesian calibration (a posterior; resumes from the --out folder's journal)");
  cmd->add_option("--particles", a->opts.particles,
                  "abc-smc: particles per generation (default 200)");
  cmd->add_option("--generations", a->opts.generations, "abc-smc: most generations (default 8)");
  cmd->add_option("--evaluations", a->opts.evaluations,
                  "Most model evaluations, each a run of every replication (default 100)");
  cmd->add_option("--tolerance", a->opts.tolerance,
                  "RMS scaled error a converged fit must reach (default 0.1: 10%)");
  cmd->add_option("--bootstrap", a->opts.bootstrap,
                  "Resamples of the replications for the fitted values' 95% intervals "
                  "(default 1000)");
  add_run_options(*cmd, o, "out/calibrate-<scenario name>/");
  return {cmd, [a, &o] { return calibrate_command(a->file, a->opts, o); }};
}

Command add_forecast_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
    ForecastOptions opts;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "forecast",
      "Run a scenario at draws from a calibration's posterior (calibrate --method abc-smc): "
      "every quarterly metric's median and 50% and 90% intervals, parameter and simulation "
      "uncertainty together; with --compare, the paired difference to another scenario");
  cmd->add_option("scenario", a->file, "Scenario file (YAML): the one the posterior was fitted on")
      ->required();
  cmd->add_option("--posterior", a->opts.posterior, "posterior.json of calibrate --method abc-smc")
      ->required();
  cmd->add_option("--compare", a->opts.compare,
                  "Another scenario, run at the same draws and seeds: the difference it minus "
                  "SCENARIO, draw by draw");
  cmd->add_option("--draws", a->opts.draws,
                  "Posterior draws, each one replication with its own seed (default: the "
                  "scenario's calibration.draws, 100)")
      ->check(CLI::Range(1, 1000000));
  add_scenario_options(*cmd, o);
  add_run_options(*cmd, o, "out/forecast-<scenario name>/");
  return {cmd, [a, &o] { return forecast_command(a->file, a->opts, o); }};
}

}  // namespace linksim::cli
