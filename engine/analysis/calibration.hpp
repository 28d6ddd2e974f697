// The pieces of `linksim calibrate`: evaluating the model at a point of the
// free keys' unit box (cached: the optimiser and the intervals may ask twice),
// and the intervals of the fitted values.
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "linksim/analysis.hpp"

namespace linksim::detail {

// The model at one point: the free keys' values and each target row's value
// in each replication (rows x replications).
struct Point {
  std::vector<double> values;
  Eigen::MatrixXd reps;
  double loss = 0;
};

class Evaluator {
 public:
  Evaluator(const CalibrationPlan& plan, const RunOptions& options);
  // The keys' values at a point of the unit box (clamped; integer keys rounded).
  std::vector<double> values(const std::vector<double>& unit) const;
  // Runs every replication at the point, once per distinct set of values.
  const Point& at(const std::vector<double>& unit);
  // Weighted mean squared scaled error of the replication means.
  double loss(const Eigen::MatrixXd& reps) const;
  int runs() const { return runs_; }
  int expected_runs = 1;  // for progress: the runs the calibration may need

 private:
  const CalibrationPlan& plan_;
  RunOptions options_;
  std::map<std::string, Point> cache_;
  int runs_ = 0;
};

// The bootstrap 95% interval (key units) of each fitted value, and whether the
// target identifies it, from the model at the fit and around it.
struct Intervals {
  std::vector<double> lo, hi;
  std::vector<bool> identified;
};
Intervals fit_intervals(const CalibrationPlan& plan, Evaluator& model,
                        const std::vector<double>& best_unit, int bootstrap, std::uint64_t seed);

// Columns padded to their widest cell (a CJK character counts two).
std::string text_table(const std::vector<std::vector<std::string>>& rows);

// A value in its unit (RMB for fen, % for shares).
std::string format_value(double v, const std::string& unit);

// calibrated.yaml: extends the scenario (by its path relative to `dir`) and
// sets the --set overrides and the fitted values, so that `linksim run` on it
// reproduces the fit.
std::string calibrated_yaml(const CalibrationResult& r, const std::filesystem::path& dir);
// calibration_fit.csv, calibration_trace.csv, calibrated.yaml and, last, calibration.json.
void write_calibration(const CalibrationResult& r, const std::filesystem::path& dir);
// The scenario (its text, read from `file`) with the --set overrides and one
// posterior draw's key values (forecast_plan.cpp).
Scenario at_draw(const std::string& text, const std::filesystem::path& file,
                 const std::vector<std::string>& overrides, const Posterior& p,
                 const std::vector<double>& values);
// quarterly.csv (with --compare quarterly_compare.csv and
// quarterly_difference.csv), yearly.csv, forecast_draws.csv and, last,
// forecast.json (forecast_files.cpp).
void write_forecast(const ForecastResult& r, const std::filesystem::path& dir);

}  // namespace linksim::detail
