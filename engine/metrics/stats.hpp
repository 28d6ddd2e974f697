// Small statistics shared by the metrics and the day's records.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "linksim/scenario.hpp"

namespace linksim::detail {

// a / b, or NaN (a metric the run cannot measure) when b is not positive.
inline double ratio(double a, double b) {
  return b > 0 ? a / b : std::numeric_limits<double>::quiet_NaN();
}

// The q-quantile of `v`, interpolated between order statistics; NaN when empty.
inline double percentile(std::vector<double> v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Platform buyers one simulated buyer stands for, at this scenario's scale.
inline double platform_factor(const Scenario& s) {
  return s.reports.platform_scale / s.population.scale;
}

}  // namespace linksim::detail
