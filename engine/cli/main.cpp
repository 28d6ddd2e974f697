// linksim: closed loop or open links? The command line only parses flags and
// calls the library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <stdexcept>

#include "cli/common.hpp"
#include "linksim/distributed.hpp"
#include "linksim/result.hpp"
#include "scenario/bind.hpp"

namespace {

// " (did you mean 'x'?)" for the nearest name (the scenario keys' rule), or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& names) {
  const std::string best = linksim::detail::closest(word, names);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::vector<std::string> option_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& sn : opt->get_snames()) names.push_back("-" + sn);
  }
  return names;
}

// The command a user typed, and the first option no command knows, each with
// the nearest name; "" when both are known (CLI11 then explains the problem).
std::string unknown_word(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
  }
  const std::vector<std::string> global = option_names(app);
  CLI::App* command = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string name = arg.substr(0, arg.find('='));
    if (command == nullptr) {
      if (arg == "--log-level") {
        ++i;  // its value
      } else if (arg.rfind('-', 0) != 0) {
        if (std::find(commands.begin(), commands.end(), arg) == commands.end()) {
          std::string list;
          for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
          return "linksim: unknown command '" + arg + "'" + did_you_mean(arg, commands) +
                 "; the commands are " + list;
        }
        command = app.get_subcommand(arg);
      }
      continue;
    }
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.') {
      continue;  // a value, or a negative number
    }
    std::vector<std::string> known = option_names(*command);
    known.insert(known.end(), global.begin(), global.end());
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return "linksim " + command->get_name() + ": unknown option '" + name + "'" +
             did_you_mean(name, known) + "; see linksim " + command->get_name() + " --help";
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace linksim::cli;
  // Under mpirun (a build with LINKSIM_MPI=ON) every rank runs this command;
  // the replications are spread over the ranks and rank 0 prints and writes.
  linksim::Distributed mpi;
  try {
    mpi = linksim::start_distributed(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::cerr << "linksim: " << e.what() << "\n";
    return exit_invalid;
  }
  struct StopMpi {
    ~StopMpi() { linksim::stop_distributed(); }
  } stop_mpi;
  if (mpi.rank != 0) {  // rank 0 prints help, tables and problems
    std::cout.setstate(std::ios::badbit);
    std::cerr.setstate(std::ios::badbit);
  }
  CLI::App app{
      "linksim: an agent-based simulator of live-commerce platforms, closed loop "
      "(own store only) vs open links (Taobao / JD Union)"};
  app.require_subcommand(1);
  app.fallthrough();  // --quiet and --log-level work after the command too
  app.set_version_flag("--version", linksim::version() + " (" + linksim::git_commit() + ")");
  CommonOptions o;
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("--quiet,-q", o.quiet, "No progress and no log lines below warnings");

  std::string file;
  std::vector<std::string> files;
  bool markdown = false;

  auto* run = app.add_subcommand("run",
                                 "Run a scenario's replications and report GMV, "
                                 "retention and more with 95% intervals");
  run->add_option("scenario", file, "Scenario file (YAML)")->required();
  add_scenario_options(*run, o);
  add_run_options(*run, o, "out/<scenario name>/");
  run->add_flag("--partition-buyers", o.partition_buyers,
                "Under mpirun (a LINKSIM_MPI build): split each world's buyers over the ranks, "
                "which simulate every replication together, exchanging each day's demand; the "
                "same results as one process");

  auto* cmp =
      app.add_subcommand("compare",
                         "Run scenarios with common random numbers and report paired differences "
                         "against the first");
  cmp->add_option("scenarios", files, "Two or more scenario files; the first is the baseline")
      ->required()
      ->expected(2, 64);
  add_scenario_options(*cmp, o);
  add_run_options(*cmp, o, "out/compare-<first name>-<second name>.../");

  auto* sweep = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of key values (--vary or its sweep block); resumable: run "
      "the same command again after an interruption");
  sweep->add_option("scenario", file, "Scenario file (YAML)")->required();
  add_scenario_options(*sweep, o);
  add_vary_option(*sweep, o);
  add_run_options(*sweep, o, "out/sweep-<scenario name>/");

  SensitivityOptions sens_opts;
  auto* sens = app.add_subcommand(
      "sensitivity",
      "Which assumptions drive the metrics (or, with --compare, the difference between two "
      "policies): Morris screening or Sobol' indices over --vary ranges; resumable");
  sens->add_option("scenario", file, "Scenario file (YAML)")->required();
  add_scenario_options(*sens, o);
  sens->add_option("--vary", o.vary,
                   "A factor, KEY=FROM:TO (repeatable); replaces the scenario's "
                   "sensitivity.factors");
  sens->add_option("--method", sens_opts.method,
                   "morris (elementary effects: screening) or sobol (first and total indices)");
  sens->add_option("--samples", sens_opts.samples,
                   "Morris trajectories (default 10) or Sobol base samples N (default 128; "
                   "N x (factors + 2) points)");
  sens->add_option("--levels", sens_opts.levels, "Morris grid levels (even; default 4)");
  sens->add_option("--bootstrap", sens_opts.bootstrap,
                   "Bootstrap resamples for the 95% intervals (default 1000)");
  sens->add_option("--compare", sens_opts.compare,
                   "Another scenario: analyse the paired difference (it minus SCENARIO), "
                   "common random numbers");
  add_run_options(*sens, o, "out/sensitivity-<scenario name>/");

  CalibrateOptions cal_opts;
  auto* cal = app.add_subcommand(
      "calibrate",
      "Fit free keys (--free KEY=FROM:TO) so that the model's monthly or quarterly metrics "
      "reproduce an observed series (--target CSV of "
      "period,metric,value[,weight][,unit][,note][,source]); "
      "exit 3 when the fit does not converge (the best fit is still written)");
  cal->add_option("scenario", file, "Scenario file (YAML)")->required();
  add_scenario_options(*cal, o);
  cal->add_option("--free", o.vary,
                  "A key to fit, KEY=FROM:TO or, for abc-smc, KEY=FROM:TO:log_uniform "
                  "(repeatable); replaces the scenario's calibration.free");
  cal->add_option("--target", cal_opts.target,
                  "The observed series, a CSV of period (YYYY-MM or YYYY-Qn), metric (a "
                  "monthly.csv column), value and optional weight and unit");
  cal->add_option("--method", cal_opts.method,
                  "NLopt optimiser: bobyqa (default), neldermead or sbplx; or abc-smc, a "
                  "Bayesian calibration (a posterior; resumes from the --out folder's journal)");
  cal->add_option("--particles", cal_opts.particles,
                  "abc-smc: particles per generation (default 200)");
  cal->add_option("--generations", cal_opts.generations, "abc-smc: most generations (default 8)");
  cal->add_option("--evaluations", cal_opts.evaluations,
                  "Most model evaluations, each a run of every replication (default 100)");
  cal->add_option("--tolerance", cal_opts.tolerance,
                  "RMS scaled error a converged fit must reach (default 0.1: 10%)");
  cal->add_option("--bootstrap", cal_opts.bootstrap,
                  "Resamples of the replications for the fitted values' 95% intervals "
                  "(default 1000)");
  add_run_options(*cal, o, "out/calibrate-<scenario name>/");

  ForecastOptions fc_opts;
  auto* fc = app.add_subcommand(
      "forecast",
      "Run a scenario at draws from a calibration's posterior (calibrate --method abc-smc): "
      "every quarterly metric's median and 50% and 90% intervals, parameter and simulation "
      "uncertainty together; with --compare, the paired difference to another scenario");
  fc->add_option("scenario", file, "Scenario file (YAML): the one the posterior was fitted on")
      ->required();
  fc->add_option("--posterior", fc_opts.posterior, "posterior.json of calibrate --method abc-smc")
      ->required();
  fc->add_option("--compare", fc_opts.compare,
                 "Another scenario, run at the same draws and seeds: the difference it minus "
                 "SCENARIO, draw by draw");
  fc->add_option("--draws", fc_opts.draws,
                 "Posterior draws, each one replication with its own seed (default: the "
                 "scenario's calibration.draws, 100)")
      ->check(CLI::Range(1, 1000000));
  add_scenario_options(*fc, o);
  add_run_options(*fc, o, "out/forecast-<scenario name>/");

  auto* report = app.add_subcommand(
      "report",
      "Write one self-contained report.html (charts, tables, opens offline) from the output "
      "folders of run, compare, sweep, sensitivity, calibrate or forecast");
  report
      ->add_option("folders", files,
                   "Output folders of run, compare, sweep, sensitivity, calibrate or forecast")
      ->required()
      ->check(CLI::ExistingDirectory);
  report->add_option("--out", o.out,
                     "The HTML file (default: report.html in the folder, or ./report.html for "
                     "several)");

  BenchOptions bench_opts;
  bench_opts.scenario = std::string(LINKSIM_SOURCE_DIR) + "/scenarios/open_links.yaml";
  auto* bench = app.add_subcommand(
      "bench",
      "Measure buyer-days per second, seconds per day and peak memory at several sizes and "
      "thread counts, next to a bare kernel on the same world");
  bench->add_option("--scenario", bench_opts.scenario, "Scenario to measure")
      ->capture_default_str();
  bench->add_option("--buyers", bench_opts.buyers, "Buyer counts")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--threads", bench_opts.threads, "Thread counts")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--days", bench_opts.days, "Simulated days per run (no warm-up)")
      ->check(CLI::Range(1, 36600))
      ->capture_default_str();
  bench->add_option("--kernel-days", bench_opts.kernel_days, "Days of the bare kernel")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  bench
      ->add_option("--repeat", bench_opts.repeat,
                   "Runs per configuration; the fastest is reported (shared machines are noisy)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  bench->add_option("--json", bench_opts.json, "Also write the figures to this JSON file");
  bench->add_flag("--child", bench_opts.child, "(internal) one configuration, as JSON")->group("");

  auto* val = app.add_subcommand("validate", "Check scenario files and report every problem");
  val->add_option("scenarios", files, "Scenario files")->required();
  add_scenario_options(*val, o);
  add_vary_option(*val, o);

  auto* show = app.add_subcommand("show", "Print the resolved scenario, every default filled in");
  show->add_option("scenario", file, "Scenario file")->required();
  add_scenario_options(*show, o);
  add_vary_option(*show, o);

  auto* schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files");
  schema->add_flag("--markdown", markdown, "Print the key reference (docs/scenarios.md) instead");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A typo'd command or option: say which, and the nearest name.
    if (const std::string word = e.get_exit_code() != 0 ? unknown_word(app, argc, argv) : "";
        !word.empty()) {
      std::cerr << word << "\n";
      return exit_invalid;
    }
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_invalid;
  }

  // A file size limit (ulimit -f) makes writes fail with EFBIG, reported like a
  // full disk, instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("linksim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::set_level(o.quiet ? spdlog::level::warn : spdlog::level::from_str(o.log_level));
  if (mpi.rank != 0) {  // only errors, marked with the rank
    spdlog::set_pattern("[%H:%M:%S] [%^%l%$] [rank " + std::to_string(mpi.rank) + "] %v");
    spdlog::set_level(spdlog::level::err);
  }

  try {
    if (*run) return run_command(file, o);
    if (*cmp) return compare_command(files, o);
    if (*sweep) return sweep_command(file, o);
    if (*sens) return sensitivity_command(file, sens_opts, o);
    if (*cal) return calibrate_command(file, cal_opts, o);
    if (*fc) return forecast_command(file, fc_opts, o);
    if (*report) return report_command(files, o);
    if (*bench) return bench_command(bench_opts, o);
    if (*val) return validate_command(files, o);
    if (*show) return show_command(file, o);
    if (*schema) return schema_command(markdown);
  } catch (const linksim::Cancelled& e) {
    end_progress(o);
    spdlog::warn("interrupted by signal {}; nothing was written", e.signal);
    return exit_for_signal(e.signal);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    // A rank of a split world that fails alone would leave the others waiting
    // in the day's exchange: end the whole job.
    if (mpi.size > 1 && o.partition_buyers) linksim::abort_distributed(exit_failure);
    return exit_failure;
  }
  return exit_failure;
}
