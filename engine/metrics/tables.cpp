// The tables `linksim compare` and `linksim sweep` print: one row per
// metric or point, each in the unit it names, stacked into blocks when the
// terminal is too narrow (the numbers' formats: format.cpp).
#include <cmath>
#include <limits>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim {

using detail::grouped;
using detail::pad;

namespace {

// The first words of a comparison's table: its replications and seed, the same in every scenario.
std::string comparison_heading(const Comparison& c) {
  const auto& base = c.runs.front();
  return "paired comparison: " +
         count_of(static_cast<long long>(base.replications.size()), "replication") +
         " each, seed " + std::to_string(base.scenario.seed) + " (common random numbers)";
}

// The first words of a sweep's table: its points, replications and seed.
std::string sweep_heading(const SweepResult& r) {
  const auto& base = r.plan.base;
  return "sweep of " + base.name + ": " + std::to_string(r.plan.points.size()) + " points, " +
         count_of(base.replications, "replication") + " each, seed " + std::to_string(base.seed) +
         " at every point";
}

// The unit of a comparison's row for metric m: the scale of its smallest
// level (0 when a level is 0, which then leaves the choice to the
// differences) and of its smallest difference that is not zero.
detail::UnitScale row_unit(const Comparison& c, int m) {
  double smallest = std::numeric_limits<double>::infinity(), diff = 0;
  for (const auto& r : c.runs) smallest = std::min(smallest, std::fabs(r.metrics[m].mean));
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    const double v = std::fabs(c.differences[i][m].diff.mean);
    if (std::isfinite(v) && v != 0 && (diff == 0 || v < diff)) diff = v;
  }
  return detail::unit_scale(metric_info()[m].unit, {smallest, diff});
}

std::size_t widest_line(const std::string& text) {
  std::size_t widest = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    widest = std::max(widest, detail::display_width(line));
  return widest;
}

// The comparison for a terminal too narrow for its table: a block per
// metric, a line per scenario and per difference.
std::string stacked_comparison(const Comparison& c) {
  std::ostringstream out;
  const auto& base = c.runs.front();
  out << comparison_heading(c) << "\n[95% interval]; * = the paired "
      << "difference's interval excludes zero\n";
  std::size_t label = 0;
  for (const auto& r : c.runs) label = std::max(label, r.scenario.name.size() + 3);
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    label = std::max(label, c.runs[i].scenario.name.size() + base.scenario.name.size() + 7);
  }
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    const detail::UnitScale u = row_unit(c, m);
    out << "\n"
        << info.name << " (" << (u.label == "%" ? "%, difference in pts" : u.label) << ")\n";
    for (const auto& r : c.runs) {
      out << "  " << pad(r.scenario.name, label) << detail::in_scale(r.metrics[m], u) << "\n";
    }
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      std::string cell = detail::difference_in_scale(c.differences[i][m], u);
      cell.erase(cell.find_last_not_of(' ') + 1);
      out << "  " << pad(c.runs[i].scenario.name + " − " + base.scenario.name, label) << cell
          << "\n";
    }
  }
  return out.str();
}

}  // namespace

std::string comparison_table(const Comparison& c, std::size_t width) {
  std::ostringstream out;
  out << comparison_heading(c) << "; [95% interval]; * = the paired "
      << "difference's interval excludes zero; each row in the unit it names\n";
  out << pad("metric", 24) << pad("unit", 8);
  for (const auto& r : c.runs) out << pad(r.scenario.name, 30, true);
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    out << pad("difference " + c.runs[i].scenario.name, 40, true);
  }
  out << "\n";
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    const detail::UnitScale u = row_unit(c, m);
    out << pad(info.name, 24) << pad(u.label == "%" ? "% (pts)" : u.label, 8);
    for (const auto& r : c.runs) out << pad(detail::in_scale(r.metrics[m], u), 30, true);
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      const std::string cell = detail::difference_in_scale(c.differences[i][m], u);
      out << pad(cell, 40, true);
    }
    out << "\n";
  }
  return width > 0 && widest_line(out.str()) > width ? stacked_comparison(c) : out.str();
}

namespace {

// "mean ± half the 95% interval" in a column's unit.
std::string plus_minus(const Interval& iv, const detail::UnitScale& u) {
  std::string cell = std::isnan(iv.mean) ? "n/a" : grouped(iv.mean * u.factor, u.decimals);
  if (iv.n >= 2 && !std::isnan(iv.lo)) {
    cell += " ± " + grouped((iv.hi - iv.lo) / 2 * u.factor, u.decimals);
  }
  return cell;
}

// The sweep for a terminal too narrow for its table: a block per point, a
// line per headline metric.
std::string stacked_sweep(const SweepResult& r, const std::vector<detail::UnitScale>& units) {
  std::ostringstream out;
  out << sweep_heading(r) << "\n(common random numbers); mean ± half the 95% interval\n";
  std::vector<std::string> labels;
  std::size_t label = 0;
  std::size_t k = 0;
  for (int m : headline_indices()) {
    labels.push_back(metric_info()[m].name + " (" + units[k++].label + ")");
    label = std::max(label, detail::display_width(labels.back()) + 2);
  }
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    out << "\npoint " << i << ":";
    for (std::size_t a = 0; a < r.plan.axes.size(); ++a) {
      out << (a == 0 ? " " : ", ") << r.plan.axes[a].key << " = " << r.plan.points[i].values[a];
    }
    out << "\n";
    k = 0;
    for (int m : headline_indices()) {
      out << "  " << pad(labels[k], label) << plus_minus(r.points[i].metrics[m], units[k]) << "\n";
      ++k;
    }
  }
  return out.str();
}

}  // namespace

std::string sweep_table(const SweepResult& r, std::size_t width) {
  std::ostringstream out;
  out << sweep_heading(r)
      << " (common random numbers); mean ± half the 95% interval, each column in "
         "the unit it names\n";
  std::vector<std::size_t> widths;
  out << pad("point", 6);
  for (const auto& a : r.plan.axes) {
    widths.push_back(std::max<std::size_t>(8, a.key.size() + 2));
    out << pad(a.key, widths.back(), true);
  }
  // One unit per column: the scale of its smallest mean that is not zero.
  std::vector<detail::UnitScale> units;
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    std::vector<double> means;
    for (const auto& p : r.points) means.push_back(p.metrics[m].mean);
    units.push_back(detail::unit_scale(info.unit, means));
    out << pad(info.name + " (" + units.back().label + ")", 28, true);
  }
  out << "\n";
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    out << pad(std::to_string(i), 6);
    for (std::size_t a = 0; a < widths.size(); ++a) {
      out << pad(r.plan.points[i].values[a], widths[a], true);
    }
    std::size_t k = 0;
    for (int m : headline_indices()) {
      out << pad(plus_minus(r.points[i].metrics[m], units[k++]), 28, true);
    }
    out << "\n";
  }
  return width > 0 && widest_line(out.str()) > width ? stacked_sweep(r, units) : out.str();
}

}  // namespace linksim
