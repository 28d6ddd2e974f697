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
struct MetricSensitivity {
  std::string metric, unit;
  bool defined = true;  // false when the metric is undefined at some point
  double variance = 0;  // of the quantity over the design
  std::vector<std::vector<SensitivityIndex>> factors;  // [factor][index]
  std::vector<int> ranking;                            // factors by mu_star or total, largest first
};
struct SensitivityResult {
  SensitivityPlan plan;
  std::vector<std::vector<double>> quantity;  // [row][metric]: mean (or mean paired difference)
  std::vector<MetricSensitivity> metrics;     // metric_info() order
  double seconds = 0;
};

// Runs the points `dir` holds no valid record of (resumable like a sweep),
// then writes sensitivity_design.csv, sensitivity.csv and, last,
// sensitivity.json. Throws SweepMismatch for a folder of another analysis.
SensitivityResult run_sensitivity(const SensitivityPlan& plan, const std::filesystem::path& dir,
                                  const RunOptions& options);
// The ranking per metric, for the terminal.
std::string sensitivity_table(const SensitivityResult& r);

}  // namespace linksim
