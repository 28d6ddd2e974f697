// The observed series `linksim calibrate` fits: a CSV of period, metric and
// value (optional weight and unit), read against a scenario's horizon, and the
// model's value of each of its rows in one replication.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "linksim/analysis.hpp"

namespace linksim::detail {

// Reads and checks the target: every problem (unknown column or metric, a
// period outside the horizon or only partly inside it, a value the horizon
// cannot measure, a bad number or unit, a duplicate row) is reported as
// `file:line:column: column: what (expected …, got …)`, all at once, in a
// ScenarioError. Values are converted to the metric's unit (fen, share, count)
// and each row gets its metric's scale (the RMS of the metric's target values).
std::vector<TargetRow> read_target(const std::filesystem::path& file, const Scenario& s);

// The same on the file's text (`file` names it in the messages): what
// read_target does once the file is read, and what its fuzzer feeds.
std::vector<TargetRow> read_target_text(std::string text, const std::filesystem::path& file,
                                        const Scenario& s);

// The model's value of each target row in one replication's monthly table
// (monthly_info() columns, one row per month of the horizon); NaN where the
// replication leaves it undefined (a share of no sales).
std::vector<double> target_values(const std::vector<TargetRow>& target,
                                  const Eigen::MatrixXd& monthly);

}  // namespace linksim::detail
