// What every command shares: common flags, loading scenarios with their
// overrides, progress on stderr, and exit codes (0 ok, 1 failure while
// running, 2 invalid input, 3 a calibration that did not converge).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linksim/distributed.hpp"
#include "linksim/simulation.hpp"

namespace linksim::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_invalid = 2;
inline constexpr int exit_not_converged = 3;  // calibrate: outputs written, the fit failed

// The MPI job this command runs in (main starts it), or this process alone:
// every run gets it in RunOptions::ensemble, and only its rank 0 prints
// problems and writes files. The command line's, not the library's: the
// engine reads no process-wide ensemble.
Ensemble& ensemble();
void use_ensemble(std::unique_ptr<Ensemble> e);

struct CommonOptions {
  std::string out;
  int replications = 0;
  int threads = 0;
  std::string seed;
  std::vector<std::string> sets;
  std::vector<std::string> vary;
  bool report = false;
  bool force = false;             // run even when the memory estimate exceeds what is available
  bool partition_buyers = false;  // run under MPI: one world split over the ranks
  std::string log_level = "info";
  bool quiet = false;
};

// Adds --set, --seed and --replications (scenario options) to a command.
void add_scenario_options(CLI::App& cmd, CommonOptions& o);
// Adds --vary (sweep axes).
void add_vary_option(CLI::App& cmd, CommonOptions& o);
// Adds --out (its default described by `default_out`), --threads, --report
// and --force: the options of commands that run.
void add_run_options(CLI::App& cmd, CommonOptions& o, const std::string& default_out);

// Loads a scenario with --set/--seed/--replications applied as overrides;
// prints every problem and returns false when it is invalid.
bool load(const std::string& file, const CommonOptions& o, Scenario& out, bool with_vary = false);

// False (with a message giving the estimate and the limit) when the run would
// not fit in the machine's available memory, unless --force.
bool memory_fits(const Scenario& s, const RunOptions& opts, const CommonOptions& o);
// A scenario's work: buyer slots x simulated days (warm-up included) x replications.
double buyer_days(const Scenario& s);
// False (with a message giving the estimate and the limit) when `work`
// buyer-days would take more than a day on `threads` threads, unless
// --force: checked from the scenario and the design's size, before any point
// is resolved or anything is run.
bool work_fits(const std::string& what, double work, int threads, const CommonOptions& o);
// For a design of `points` runs of `base` (a sweep's or a sensitivity
// analysis's, `what`), before any point is resolved: memory_fits for one
// world, then work_fits for them all, the memory said first.
bool design_fits(const Scenario& base, const std::string& what, double points,
                 const CommonOptions& o);
// The output folder can be created and written in (rank 0 checks; every rank
// stops if it cannot): checked before anything runs, so that a long run never
// ends on an unwritable --out. Logs the problem and returns false otherwise.
bool output_writable(const std::string& dir);

// The entries of an output folder that earlier linksim commands wrote (name
// -> identity: the file's, or for a folder its summary.json's, inode).
struct EarlierOutput {
  std::string dir;
  std::map<std::string, std::uintmax_t> entries;
};
// For a command with a fixed set of files (run, compare, forecast): --out is
// writable (else exit 1) and holds only linksim's files, or --force is given
// (else exit 2); otherwise logged, nullopt and `exit_code` set. What it holds
// is remembered for remove_stale.
std::optional<EarlierOutput> prepare_output(const std::string& dir, const CommonOptions& o,
                                            int& exit_code);
// After the command's files are in place: removes the earlier entries it did
// not write again (another command's results, an old report.html), and says so.
void remove_stale(const EarlierOutput& earlier);

// --set, --seed and --replications as overrides.
std::vector<std::string> scenario_overrides(const CommonOptions& o);
// A scenario's problems as printed: one line each, then their count.
std::string problems_text(const std::string& file, const ScenarioError& e);
// Every rank's verdict on its own input (`problem`, empty when none), agreed
// by all ranks under mpirun: true when no rank has a problem; otherwise the
// lowest failing rank's problem is printed once, by rank 0, and every rank
// gets false.
bool no_problem(const std::string& problem);

int thread_count(const CommonOptions& o);
// A run's options from the flags: --threads, and this command's ensemble.
RunOptions run_options(const CommonOptions& o);
// The columns of the terminal standard output goes to, or 0 when it is not
// a terminal (a file or a pipe gets the full table, whatever its width).
std::size_t stdout_columns();
// Progress on stderr: a live bar on a terminal, a log line every few seconds
// otherwise, nothing with --quiet.
// `unit` names the runs of a compare or sweep ("scenario", "point").
// The live progress line on a terminal of `width` columns, never wider than
// width - 1: "label [####    ]  42%  replications 3/10  12s elapsed, ETA 17s".
std::string progress_line(const std::string& label, double frac, const std::string& where,
                          double elapsed, const std::string& eta, int width);
std::function<void(const Progress&)> progress_reporter(const CommonOptions& o,
                                                       const std::string& label,
                                                       const std::string& unit = "run");
// SIGINT and SIGTERM set the returned flag (the signal number) instead of
// killing the process; runs check it every simulated day.
const std::atomic<int>* install_signal_handlers();
// The exit status of a run stopped by a signal: 128 + its number (130, 143).
inline int exit_for_signal(int sig) { return 128 + sig; }
void end_progress(const CommonOptions& o);

struct BenchOptions {
  std::string scenario;
  std::vector<std::int64_t> buyers{100000, 1000000, 10000000};
  std::vector<int> threads{1, 2};
  int days = 90;
  int kernel_days = 10;
  int repeat = 3;  // runs per configuration; the fastest is reported
  std::string json;
  bool child = false;  // run one configuration and print it as JSON
};
int bench_command(const BenchOptions& b, const CommonOptions& o);

// `linksim sensitivity`: each flag given is set on the scenario's sensitivity
// block (and validated there).
struct SensitivityOptions {
  std::string method, compare;
  std::optional<int> samples, levels, bootstrap;
};
int sensitivity_command(const std::string& file, const SensitivityOptions& s,
                        const CommonOptions& o);

// `linksim calibrate`: each flag given is set on the scenario's calibration
// block (and validated there).
struct CalibrateOptions {
  std::string target, method;
  std::optional<int> evaluations, bootstrap, particles, generations;
  std::optional<double> tolerance;
};
int calibrate_command(const std::string& file, const CalibrateOptions& c, const CommonOptions& o);

struct ForecastOptions {
  std::string posterior, compare;
  int draws = 0;  // 0: the scenario's calibration.draws
};
int forecast_command(const std::string& file, const ForecastOptions& f, const CommonOptions& o);

// One subcommand: `app` holds its flags, and `run` runs it once the command
// line is parsed. Each add_*_command declares its subcommand's flags on the
// main app, beside the command's code (run.cpp, analysis.cpp, bench.cpp,
// inspect.cpp).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
Command add_run_command(CLI::App& app, CommonOptions& o);
Command add_compare_command(CLI::App& app, CommonOptions& o);
Command add_sweep_command(CLI::App& app, CommonOptions& o);
Command add_sensitivity_command(CLI::App& app, CommonOptions& o);
Command add_calibrate_command(CLI::App& app, CommonOptions& o);
Command add_forecast_command(CLI::App& app, CommonOptions& o);
Command add_report_command(CLI::App& app, CommonOptions& o);
Command add_bench_command(CLI::App& app, CommonOptions& o);
Command add_validate_command(CLI::App& app, CommonOptions& o);
Command add_show_command(CLI::App& app, CommonOptions& o);
Command add_schema_command(CLI::App& app);
Command add_serve_command(CLI::App& app, CommonOptions& o);

int run_command(const std::string& file, const CommonOptions& o);
int compare_command(const std::vector<std::string>& files, const CommonOptions& o);
int sweep_command(const std::string& file, const CommonOptions& o);
int report_command(const std::vector<std::string>& dirs, const CommonOptions& o);
int validate_command(const std::vector<std::string>& files, const CommonOptions& o);
int show_command(const std::string& file, const CommonOptions& o);
int schema_command(bool markdown);

}  // namespace linksim::cli
