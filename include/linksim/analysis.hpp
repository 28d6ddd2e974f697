// Global sensitivity analysis of a scenario: which assumptions drive its
// headline metrics, or the difference between two policies.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "linksim/experiment.hpp"

namespace linksim {

// The design of `linksim sensitivity`: every point a scenario (twice with
// --compare: the scenario and the other, same values and seed), run with the
// scenario's seed (common random numbers across points).
struct SensitivityPlan {
  Scenario base;
  std::filesystem::path compare;  // empty: the scenario's own metrics
  std::vector<SensitivityFactor> factors;
  std::vector<bool> integer;              // per factor: values rounded to whole numbers
  std::string method;                     // morris or sobol
  int samples = 0;                        // trajectories or base samples (resolved from 0)
  int rows = 0;                           // design rows; points = rows (x 2 with compare)
  std::vector<std::vector<double>> unit;  // [row][factor] in [0, 1]
  SweepPlan points;  // axes = factors; point = row (x 2: row 2r the scenario, 2r + 1 the other)
};

// Loads the scenario (--set overrides; --vary KEY=FROM:TO replaces its factors)
// and, with --compare or sensitivity.compare, the other scenario with the
// same overrides, seed and replications; builds the design and resolves every
// point. Throws ScenarioError listing every problem.
SensitivityPlan plan_sensitivity(const std::filesystem::path& file,
                                 const std::vector<std::string>& overrides,
                                 const std::vector<std::string>& vary,
                                 const std::filesystem::path& compare = {});

// One index of one factor for one metric, with its bootstrap 95% interval.
struct SensitivityIndex {
  std::string name;  // mu, mu_star, sigma (Morris); first, total (Sobol)
  double estimate = 0, lo = 0, hi = 0;
};
// Where the quantity lies over the design rows, and whether it changes sign:
// with --compare, whether the policies' order flips. The scenario's own values
// are not a design row, so this is the spread over the rows, not a difference
// at a base point (`linksim compare` gives that).
struct SignSpread {
  double min = 0, max = 0, mean = 0;
  double negative = 0, positive = 0;  // shares of the rows below and above 0
  // Per factor: the mean over the rows with the factor (as run) in the lower
  // and in the upper half of its range (NaN for an empty half), and whether
  // they have opposite signs (moving the factor flips the answer).
  std::vector<double> lower, upper;
  std::vector<int> lower_rows, upper_rows;
  std::vector<bool> flips;
};
struct MetricSensitivity {
  std::string metric, unit;
  bool defined = true;  // false when the metric is undefined at some point
  double variance = 0;  // of the quantity over the design
  std::vector<std::vector<SensitivityIndex>> factors;  // [factor][index]
  std::vector<int> ranking;                            // factors by mu_star or total, largest first
  SignSpread sign;                                     // when defined
};
struct SensitivityResult {
  SensitivityPlan plan;
  std::vector<std::vector<double>> quantity;  // [row][metric]: mean (or mean paired difference)
  std::vector<MetricSensitivity> metrics;     // headline_indices() order
  // Morris, per factor: steps of a trajectory that left the factor's value as
  // run unchanged (an integer key rounded to the same value), so had no
  // elementary effect and were left out.
  std::vector<int> skipped;
  double seconds = 0;
};

// Runs the points `dir` holds no valid record of (resumable like a sweep),
// then writes sensitivity_design.csv, sensitivity.csv and, last,
// sensitivity.json. Throws SweepMismatch for a folder of another analysis.
// With `dir` empty nothing is read or written (results in memory only).
SensitivityResult run_sensitivity(const SensitivityPlan& plan, const std::filesystem::path& dir,
                                  const RunOptions& options);
// Its files, as run_sensitivity writes them.
void write_sensitivity(const SensitivityResult& r, const std::filesystem::path& dir);
// The ranking per metric, for the terminal.
std::string sensitivity_table(const SensitivityResult& r);

}  // namespace linksim

namespace linksim {

// One row of a calibration target: an observed value of a monthly metric
// (monthly_info()) over a month or a quarter of the horizon.
struct TargetRow {
  std::string period;       // YYYY-MM or YYYY-Qn
  std::string metric;       // a monthly_info() column
  std::string unit;         // the metric's: fen, share or count
  double value = 0;         // observed, in that unit
  double weight = 1;        // in the loss
  double scale = 1;         // the metric's typical size: RMS of its target values
  int line = 0;             // in the CSV
  int column = 0;           // monthly_info() index of the metric
  std::vector<int> months;  // horizon months the period covers
  std::vector<int> before;  // gmv_growth: the months of the period before (a year before: yoy)
  bool yoy = false;         // metric gmv_growth_yoy
};

// What `linksim calibrate` fits: the scenario (with --set overrides), its free
// keys and their ranges, and the target read against its horizon.
struct CalibrationPlan {
  std::filesystem::path file;          // the scenario
  std::string text;                    // its text, read once
  std::vector<std::string> overrides;  // --set, --seed, --replications
  Scenario base;
  std::vector<SensitivityFactor> free;  // key, from, to
  std::vector<bool> integer;            // per free key: values rounded to whole numbers
  std::vector<double> start;            // the scenario's values (the range's middle if outside)
  std::filesystem::path target_file;
  std::vector<TargetRow> target;
};

// Loads the scenario (--set overrides; --free KEY=FROM:TO replaces its
// calibration.free), reads the target (`target`, or calibration.target
// relative to the scenario) and checks that both ends of every range load.
// Throws ScenarioError listing every problem.
CalibrationPlan plan_calibration(const std::filesystem::path& file,
                                 const std::vector<std::string>& overrides,
                                 const std::vector<std::string>& free,
                                 const std::filesystem::path& target = {});
// The scenario with the free keys set to `values` (key units; integer keys rounded).
Scenario calibration_point(const CalibrationPlan& plan, const std::vector<double>& values);

struct FittedKey {
  std::string key;
  double from = 0, to = 0, start = 0, value = 0;
  double lo = 0, hi = 0;   // bootstrap 95% interval; NaN when there is none
  bool at_bound = false;   // within 0.1% of the range's width from an end
  bool identified = true;  // false when the target does not move with the key
};
struct FitRow {
  TargetRow target;
  double model = 0, lo = 0, hi = 0;  // replication mean and its 95% Student-t interval
  double scaled_error = 0;           // (model - target) / scale
};
struct Evaluation {
  std::vector<double> values;  // key units
  double loss = 0, best = 0;   // this point's, and the best so far
};
struct CalibrationResult {
  CalibrationPlan plan;
  std::string method;
  bool converged = false;
  std::string stop;     // why the optimiser stopped
  std::string message;  // converged, or why not
  double loss = 0, rms = 0, tolerance = 0;
  std::vector<FittedKey> keys;
  std::vector<FitRow> fit;
  std::vector<Evaluation> trace;  // the optimiser's evaluations, in order
  int optimiser_evaluations = 0;
  std::string calibrated_yaml;  // extends the scenario; reproduces the fit
  double seconds = 0;
};

// Minimises the loss (weighted mean of squared scaled errors of the
// replication means) over the free keys' box with NLopt, every evaluation with
// the scenario's seed (common random numbers), then estimates the fitted
// values' intervals by resampling replications, and writes
// calibration_fit.csv, calibration_trace.csv, calibrated.yaml and, last,
// calibration.json into `dir` (none with `dir` empty).
CalibrationResult run_calibration(const CalibrationPlan& plan, const std::filesystem::path& dir,
                                  const RunOptions& options);
// Its files, as run_calibration writes them (calibrated.yaml extends the
// scenario by a path relative to `dir`).
void write_calibration(const CalibrationResult& r, const std::filesystem::path& dir);
std::string calibration_table(const CalibrationResult& r);

// `calibrate --method abc-smc`: a posterior over the free keys (priors
// uniform or log-uniform on their ranges), by sequential Monte Carlo ABC
// (engine/analysis/abc.hpp). Each simulation is one replication with its own
// seed; parameter and simulation uncertainty both end up in the posterior.
struct PosteriorKey {
  std::string key, prior;
  double from = 0, to = 0;
  double mean = 0, sd = 0, median = 0, q05 = 0, q25 = 0, q75 = 0, q95 = 0;  // weighted
};
struct AbcGenerationInfo {
  int generation = 0;
  double epsilon = 0;  // tolerance: the distance a simulation needed (infinite for the prior)
  long attempts = 0, simulated = 0;
  int accepted = 0;
  double acceptance = 0, ess = 0;
};
struct AbcParticle {
  int generation = 0;
  std::vector<double> values;  // key units
  double weight = 0, distance = 0;
  std::vector<double> summary;  // the target rows' values in its simulation
};
struct PosteriorFit {
  TargetRow target;
  double median = 0, q05 = 0, q95 = 0;  // posterior predictive, weighted over the particles
  double scale = 1;                     // the distance's scale of the row
};
struct AbcResult {
  CalibrationPlan plan;
  std::string fingerprint;  // of the scenario, overrides, target, keys and settings
  std::vector<AbcGenerationInfo> generations;
  std::vector<AbcParticle> particles;            // every generation's, in order
  std::vector<PosteriorKey> keys;                // of the last generation
  std::vector<std::vector<double>> correlation;  // [key][key], weighted
  std::vector<PosteriorFit> fit;
  std::string stop;
  long simulations = 0, replayed = 0;  // run now; found in the journal (resumed)
  double seconds = 0;
};
// Runs (or resumes, from dir/abc_journal.csv) the calibration, then writes
// posterior.csv, abc_particles.csv, abc_generations.csv, abc_fit.csv,
// calibrated.yaml (the posterior medians) and, last, posterior.json. With
// `dir` empty: no journal, no files, the results in memory only.
AbcResult run_abc(const CalibrationPlan& plan, const std::filesystem::path& dir,
                  const RunOptions& options);
// Its files, as run_abc writes them.
void write_abc(const AbcResult& r, const std::filesystem::path& dir);
std::string abc_table(const AbcResult& r);

// The posterior of a calibration (posterior.json) read for `linksim forecast`.
struct Posterior {
  std::filesystem::path file;
  std::string scenario;                // the name of the scenario it was fitted on
  std::vector<std::string> overrides;  // the fit's --set KEY=VALUE
  std::vector<SensitivityFactor> keys;
  std::vector<std::vector<double>> values;  // [particle][key]
  std::vector<double> weights;
};
// Throws ScenarioError (file:line:column) for a file that is not a posterior.
Posterior read_posterior(const std::filesystem::path& file);

// `linksim forecast`: the scenario at `draws` posterior draws (drawn by
// weight), each one replication with its own seed, and with `compare` the
// other scenario at the same draws and seeds: quantiles of every quarterly
// metric, and of the paired difference.
struct ForecastPlan {
  Scenario scenario, other;  // other: empty name when no --compare
  std::filesystem::path file, other_file;
  std::vector<std::string> overrides;
  Posterior posterior;
  int draws = 100;
};
ForecastPlan plan_forecast(const std::filesystem::path& file,
                           const std::filesystem::path& posterior,
                           const std::vector<std::string>& overrides,
                           const std::filesystem::path& compare, int draws);
struct ForecastBand {
  double median = 0, q05 = 0, q25 = 0, q75 = 0, q95 = 0;
};
struct ForecastResult {
  ForecastPlan plan;
  std::vector<std::string> quarters, years;
  std::vector<std::string> metrics;  // quarterly_info() names forecast
  // [quarter][metric] bands: the scenario's, the other's and other - scenario.
  std::vector<std::vector<ForecastBand>> scenario, other, difference;
  // Years (whole calendar years of the horizon): GMV at platform scale and
  // its year-on-year growth, [year][0 gmv_platform, 1 growth_yoy].
  std::vector<std::vector<ForecastBand>> year_scenario, year_other, year_difference;
  // With --compare, [year][key]: Spearman's rank correlation over the draws
  // of the key's value with the year's difference in GMV.
  std::vector<std::vector<double>> hinges;
  // Draw d: its particle, and each whole year's GMV at platform scale in the
  // scenario and (with --compare) in the other.
  std::vector<std::size_t> particles;
  std::vector<std::vector<double>> draw_gmv, draw_gmv_other;
  double seconds = 0;
};
// Runs the draws, then writes quarterly.csv (with --compare
// quarterly_compare.csv and quarterly_difference.csv), yearly.csv,
// forecast_draws.csv and, last, forecast.json (none with `dir` empty).
ForecastResult run_forecast(const ForecastPlan& plan, const std::filesystem::path& dir,
                            const RunOptions& options);
// Its files, as run_forecast writes them.
void write_forecast(const ForecastResult& r, const std::filesystem::path& dir);
std::string forecast_table(const ForecastResult& r);

}  // namespace linksim
