// Readable numbers: RMB amounts in 亿 (1e8) or 万 (1e4) with thousands
// separators, shares as percentages, intervals in a unit, and a run's tables
// printed by the CLI (a comparison's and a sweep's: tables.cpp).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim {

using detail::grouped;
using detail::pad;

std::string detail::grouped(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string s(buf);
  const auto dot = s.find('.');
  const std::size_t digits = dot == std::string::npos ? s.size() : dot;
  std::string out = v < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits; ++i) {
    if (i > 0 && (digits - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  if (dot != std::string::npos) out.append(s, dot, std::string::npos);
  return out;
}

// The scale an amount of fen is shown in: 亿 or 万 RMB where large.
namespace {
struct RmbScale {
  double divisor;
  int decimals;
  const char* suffix;
};
}  // namespace
static RmbScale rmb_scale(double fen, RmbUnits units = RmbUnits::chinese) {
  const double rmb = std::fabs(fen) / 100.0;
  if (units == RmbUnits::ascii) {  // thousand, million, billion: readable without CJK fonts
    if (rmb >= 1e9) return {1e11, 2, " bn RMB"};
    if (rmb >= 1e6) return {1e8, 1, " M RMB"};
    if (rmb >= 1e4) return {1e5, 1, " k RMB"};
    return {100.0, 0, " RMB"};
  }
  if (rmb >= 1e8) return {1e10, 2, " 亿 RMB"};
  if (rmb >= 1e4) return {1e6, 1, " 万 RMB"};
  return {100.0, 0, " RMB"};
}

std::string count_of(long long n, const std::string& singular) {
  return std::to_string(n) + " " + singular + (n == 1 ? "" : "s");
}

std::string format_percent(double share, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100 * share);
  return buf;
}

std::string format_rmb(double fen, RmbUnits units) {
  if (std::isnan(fen)) return "n/a";
  const RmbScale sc = rmb_scale(fen, units);
  return grouped(fen / sc.divisor, sc.decimals) + sc.suffix;
}

static std::string format_value(double v, const std::string& unit,
                                RmbUnits units = RmbUnits::chinese) {
  if (std::isnan(v)) return "n/a";
  if (unit == "fen") return format_rmb(v, units);
  char buf[64];
  if (unit == "share") {
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
    return buf;
  }
  if (unit == "days") {
    std::snprintf(buf, sizeof buf, "%.1f days", v);
    return buf;
  }
  return grouped(v, std::fabs(v) < 100 && v != std::floor(v) ? 2 : 0);
}

static std::string format_interval(const Interval& iv, const std::string& unit,
                                   RmbUnits units = RmbUnits::chinese);

// A difference: shares in percentage points, the rest in their own unit.
static std::string format_delta(double v, const std::string& unit, RmbUnits units) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  if (unit == "share") {
    std::snprintf(buf, sizeof buf, "%+.2f pts", 100 * v);
    return buf;
  }
  const std::string s = format_value(v, unit, units);
  return v >= 0 ? "+" + s : s;
}

// The fewest decimals from `least` (at most 6) at which none of `values`
// that is not zero rounds to zero: a significant difference never reads as
// "-0.00".
static int decimals_showing(std::initializer_list<double> values, int least) {
  int d = least;
  for (double v : values) {
    while (d < 6 && std::isfinite(v) && v != 0 && std::fabs(v) * std::pow(10.0, d) < 0.5) ++d;
  }
  return d;
}

static std::string format_difference(const Difference& d, const std::string& unit,
                                     RmbUnits units = RmbUnits::chinese) {
  Interval iv = d.diff;
  const bool has_interval = iv.n >= 2 && !std::isnan(iv.lo);
  std::string out;
  if (unit == "share") {
    // Percentage points, with the digits that show a significant difference.
    const int places =
        d.significant ? decimals_showing({100 * iv.mean, 100 * iv.lo, 100 * iv.hi}, 2) : 2;
    out = std::isnan(iv.mean) ? "n/a" : fmt::format("{:+.{}f} pts", 100 * iv.mean, places);
    if (has_interval)
      out += fmt::format(" [{:+.{}f}, {:+.{}f}]", 100 * iv.lo, places, 100 * iv.hi, places);
  } else {
    out = format_delta(iv.mean, unit, units);
    out.append(" ").append(format_interval(iv, unit, units));
  }
  if (std::isnan(d.relative)) return out.append("        ");
  const int places = d.significant ? decimals_showing({100 * d.relative}, 1) : 1;
  return out + fmt::format(" ({:+.{}f}%){}", 100 * d.relative, places, d.significant ? "*" : " ");
}

// "[lo, hi]" in the scale of the mean (the unit is printed once, with the mean).
static std::string format_interval(const Interval& iv, const std::string& unit, RmbUnits units) {
  if (iv.n < 2 || std::isnan(iv.lo)) return "";
  auto number = [&](double v, bool sign) {
    std::string text;
    if (unit == "fen") {
      const RmbScale sc = rmb_scale(iv.mean, units);
      text = grouped(v / sc.divisor, sc.decimals);
    } else if (unit == "share") {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", 100 * v);
      text = buf;
    } else {
      text = format_value(v, unit == "days" ? "count" : unit);
    }
    return (sign && v >= 0 ? "+" : "") + text;
  };
  const bool sign = iv.lo < 0;
  std::string out = "[";
  out.append(number(iv.lo, sign)).append(", ").append(number(iv.hi, sign)).append("]");
  return out;
}

std::string detail::pad(const std::string& s, std::size_t width, bool right) {
  const std::size_t cols = detail::display_width(s);
  const std::string fill(cols < width ? width - cols : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string format_metric(const Interval& iv, const std::string& unit, RmbUnits units) {
  const std::string iv_text = format_interval(iv, unit, units);
  return format_value(iv.mean, unit, units) + (iv_text.empty() ? "" : " " + iv_text);
}

std::string format_paired(const Difference& d, const std::string& unit, RmbUnits units) {
  return format_difference(d, unit, units);
}

std::string run_table(const RunResult& r) {
  std::ostringstream out;
  out << "scenario " << r.scenario.name << ": "
      << count_of(static_cast<long long>(r.replications.size()), "replication") << ", seed "
      << r.scenario.seed << ", " << count_of(r.scenario.calendar.days, "day") << " from "
      << format_date(r.scenario.calendar.start) << "\n";
  out << pad("metric", 26) << pad("mean", 20, true) << "  95% interval\n";
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    out << pad(info.name, 26) << pad(format_value(r.metrics[m].mean, info.unit), 20, true) << "  "
        << format_interval(r.metrics[m], info.unit) << "\n";
  }
  return out.str();
}

std::string monthly_table(const RunResult& r) {
  std::ostringstream out;
  const auto& cols = monthly_info();
  const std::vector<std::string> show{"gmv",     "gmv_store",      "gmv_taobao",
                                      "gmv_jd",  "in_store_share", "active_merchants",
                                      "entries", "exits",          "new_merchant_retention"};
  auto width = [](const std::string& name) { return std::max<std::size_t>(17, name.size() + 2); };
  out << pad("month", 8);
  for (const auto& name : show) out << pad(name, width(name), true);
  out << "\n";
  for (Eigen::Index i = 0; i < r.monthly_mean.rows(); ++i) {
    out << pad(r.months[i], 8);
    for (const auto& name : show) {
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (cols[c].name == name) {
          out << pad(format_value(r.monthly_mean(i, static_cast<Eigen::Index>(c)), cols[c].unit),
                     width(name), true);
        }
      }
    }
    out << "\n";
  }
  return out.str();
}

// One unit for a whole row or column of a table (its levels, intervals and
// differences): amounts in the scale of its smallest value that is not zero,
// so that none reads as 0.00; shares in % (differences in percentage points).
detail::UnitScale detail::unit_scale(const std::string& unit, std::span<const double> values,
                                     RmbUnits units) {
  double smallest = 0;
  for (double v : values) {
    if (std::isfinite(v) && v != 0 && (smallest == 0 || std::fabs(v) < smallest))
      smallest = std::fabs(v);
  }
  if (unit == "fen") {
    const RmbScale sc = rmb_scale(smallest, units);
    return {std::string(sc.suffix).substr(1), 1 / sc.divisor, sc.decimals};
  }
  if (unit == "share") return {"%", 100, 2};
  if (unit == "days") return {"days", 1, 1};
  return {"count", 1, smallest < 100 ? 2 : 0};
}

detail::UnitScale detail::unit_scale(const std::string& unit, std::initializer_list<double> values,
                                     RmbUnits units) {
  return unit_scale(unit, std::span<const double>(values.begin(), values.size()), units);
}

std::string detail::in_scale(const Interval& iv, const UnitScale& u, bool sign, int decimals) {
  if (std::isnan(iv.mean)) return "n/a";
  const int d = decimals < 0 ? u.decimals : decimals;
  const auto number = [&](double v) {
    return (sign && v >= 0 ? "+" : "") + grouped(v * u.factor, d);
  };
  std::string out = number(iv.mean);
  if (iv.n >= 2 && !std::isnan(iv.lo)) {
    out += " [" + number(iv.lo) + ", " + number(iv.hi) + "]";
  }
  return out;
}

std::string detail::difference_in_scale(const Difference& d, const UnitScale& u) {
  const Interval& iv = d.diff;
  const int places =
      d.significant
          ? decimals_showing({iv.mean * u.factor, iv.lo * u.factor, iv.hi * u.factor}, u.decimals)
          : u.decimals;
  std::string out = in_scale(iv, u, true, places);
  if (std::isnan(d.relative)) return out + (d.significant ? "*" : " ") + "       ";
  const int rel = d.significant ? decimals_showing({100 * d.relative}, 1) : 1;
  return out + fmt::format(" ({:+.{}f}%){}", 100 * d.relative, rel, d.significant ? "*" : " ");
}

}  // namespace linksim
