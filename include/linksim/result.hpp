// What a run produces: per replication, the scalar metrics, the daily series
// and the monthly table; over replications, mean, standard deviation and a 95%
// Student-t interval. Column names and units are defined once, in
// engine/metrics/columns.cpp, and listed by the functions below.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "linksim/scenario.hpp"

namespace linksim {

struct ColumnInfo {
  std::string name;
  std::string unit;  // "fen", "count", "share" or "days"
  std::string doc;
};
const std::vector<ColumnInfo>& metric_info();     // RunResult::metrics, in order
const std::vector<ColumnInfo>& daily_info();      // columns of the daily series
const std::vector<ColumnInfo>& monthly_info();    // columns of the monthly table
const std::vector<ColumnInfo>& quarterly_info();  // columns of the quarterly table
const std::vector<int>& headline_indices();       // metrics shown in tables

// Mean, standard deviation and 95% Student-t interval of a sample; NaN values
// (a metric the horizon cannot measure) are left out, and n says how many remain.
struct Interval {
  double mean = 0, sd = 0, lo = 0, hi = 0;
  int n = 0;
};
Interval summarize(const std::vector<double>& values);
// The same, its interval cut to what the column's quantity can take: amounts,
// counts and days are never negative, shares lie in [0, 1] (growth rates are
// unbounded). The mean and sd are unchanged.
Interval summarize(const std::vector<double>& values, const ColumnInfo& column);

struct ReplicationResult {
  int index = 0;
  std::uint64_t seed = 0;
  std::vector<double> metrics;  // metric_info() order
  Eigen::MatrixXd daily;        // days x daily_info()
  Eigen::MatrixXd monthly;      // months x monthly_info()
  Eigen::MatrixXd quarterly;    // quarters x quarterly_info()
  // Model v2's intent sessions by category: months x 2K, for category k its
  // sessions (column 2k) and the share met (2k + 1).
  Eigen::MatrixXd by_category;
};

struct RunResult {
  Scenario scenario;
  std::string version;
  std::string commit;
  std::vector<std::string> months;    // "YYYY-MM" labels of the monthly rows
  std::vector<std::string> quarters;  // "YYYY-Qn" labels of the quarterly rows
  std::vector<ReplicationResult> replications;
  std::vector<Interval> metrics;  // over replications, metric_info() order
  Eigen::MatrixXd daily_mean, daily_lo, daily_hi;
  Eigen::MatrixXd monthly_mean, monthly_lo, monthly_hi;
  Eigen::MatrixXd quarterly_mean, quarterly_lo, quarterly_hi;
  Eigen::MatrixXd by_category_mean, by_category_lo, by_category_hi;
  double seconds = 0;
};

std::string version();
std::string git_commit();

}  // namespace linksim
