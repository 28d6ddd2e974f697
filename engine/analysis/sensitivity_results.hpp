// The pieces of `linksim sensitivity` after the design is chosen: the design
// as run, the indices and sign spread of the analysed quantities, and the
// files and table that report them.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "analysis/sensitivity.hpp"
#include "linksim/analysis.hpp"

namespace linksim::detail {

// The design: a pure function of the plan's factors, method, samples and seed.
struct SensitivityDesign {
  MorrisDesign morris;
  SaltelliDesign saltelli;
};
SensitivityDesign sensitivity_design(const SensitivityPlan& plan);

// The rows as run ([row][factor], scaled to [0, 1] of each range): the values
// set on the keys (integer keys rounded, %.12g), not the design's grid.
Eigen::MatrixXd design_as_run(const SensitivityPlan& plan);

// The folder's manifest: linksim, scenario, factors and design.
nlohmann::json sensitivity_manifest(const SensitivityPlan& plan);

// Fills r.metrics (indices, ranking and sign spread of every headline metric)
// and r.skipped from r.plan and r.quantity. Morris effects are divided by the
// steps as run (design_as_run), so rounding an integer key does not bias them.
void analyse_sensitivity(SensitivityResult& r);

// sensitivity_design.csv, sensitivity.csv and, last, sensitivity.json.
void write_sensitivity(const SensitivityResult& r, const std::filesystem::path& dir);

}  // namespace linksim::detail
