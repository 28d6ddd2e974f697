// The calendar of the outputs: months and quarters of a horizon.
#pragma once

#include <Eigen/Dense>
#include <chrono>
#include <string>
#include <vector>

#include "linksim/scenario.hpp"

namespace linksim::detail {

struct MonthSpan {
  int first = 0;  // horizon day index
  int days = 0;   // days of the month inside the horizon
  bool full = false;
  std::chrono::year_month ym;
};
// Every calendar month the horizon touches, in order.
std::vector<MonthSpan> month_spans(const Scenario& s);

// The quarters the horizon touches: for each, its months' rows and whether
// all three are whole.
struct QuarterSpan {
  std::vector<int> months;
  bool whole = false;
  int year = 0, quarter = 0;  // quarter 1 to 4
};
std::vector<QuarterSpan> quarter_spans(const std::vector<MonthSpan>& spans);

// Month index (0 = the start month) of every day of the horizon.
std::vector<int> month_index(const Scenario& s);
// "YYYY-MM" of every month, "YYYY-Qn" of every quarter the horizon touches.
std::vector<std::string> month_labels(const Scenario& s);
std::vector<std::string> quarter_labels(const Scenario& s);

// The quarterly table (Quarterly columns) from the monthly one (Monthly).
Eigen::MatrixXd quarterly_table(const Scenario& s, const Eigen::MatrixXd& monthly,
                                const std::vector<MonthSpan>& spans);

}  // namespace linksim::detail
