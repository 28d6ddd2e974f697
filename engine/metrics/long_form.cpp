// The per-replication and long-form files of runs and comparisons
// (daily_replications.csv, periods_long.csv, comparison_daily.csv), what
// pandas users load and pivot, and units.json, every wide file's column units.
#include <sstream>
#include <stdexcept>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim::detail {

using nlohmann::json;

// The paired difference day by day, in long form (one row per scenario, day
// and metric; a scenario named by its folder): each replication against the
// baseline's with the same seed, for GMV (all channels), the store's share, platform revenue, lost
// GMV and active merchants.
std::string comparison_daily_csv(const Comparison& c, const std::vector<std::string>& folders) {
  const auto& info = daily_info();
  const auto col = [&](const std::string& name) {
    for (std::size_t i = 0; i < info.size(); ++i) {
      if (info[i].name == name) return static_cast<Eigen::Index>(i);
    }
    throw std::logic_error("no daily column " + name);
  };
  struct Series {
    std::string name, unit;
    std::vector<Eigen::Index> sum;  // the daily columns it adds up
  };
  const std::vector<Series> series = {
      {"gmv", "fen", {col("gmv_store"), col("gmv_taobao"), col("gmv_jd")}},
      {"in_store_share", "share", {col("in_store_share")}},
      {"platform_revenue", "fen", {col("platform_revenue")}},
      {"lost_gmv", "fen", {col("lost_gmv")}},
      {"active_merchants", "count", {col("active_merchants")}}};
  std::ostringstream out;
  out << "scenario,day,date,metric,unit,diff_mean,diff_ci95_low,diff_ci95_high\n";
  const RunResult& base = c.runs.front();
  std::vector<double> diff;
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    const RunResult& r = c.runs[i];
    const auto n = std::min(r.replications.size(), base.replications.size());
    const Eigen::Index days = n > 0 ? r.replications.front().daily.rows() : 0;
    for (Eigen::Index d = 0; d < days; ++d) {
      const std::string date = format_date(base.scenario.calendar.start + static_cast<int>(d));
      for (const auto& s : series) {
        diff.clear();
        for (std::size_t k = 0; k < n; ++k) {
          double a = 0, b = 0;
          for (const Eigen::Index j : s.sum) {
            a += r.replications[k].daily(d, j);
            b += base.replications[k].daily(d, j);
          }
          diff.push_back(a - b);
        }
        const Interval iv = summarize(diff);
        out << folders[i] << "," << d << "," << date << "," << s.name << "," << s.unit << ","
            << csv_number(iv.mean) << "," << csv_number(iv.lo) << "," << csv_number(iv.hi) << "\n";
      }
    }
  }
  return out.str();
}

// Every column's unit, file by file, for tools that read the wide files
// (a column's _lo and _hi share its unit): fen (1/100 RMB), share (a fraction
// in [0, 1]), count or days.
json units_json() {
  const auto columns = [](const std::vector<ColumnInfo>& info, bool bounds) {
    json out = json::object();
    for (const auto& c : info) {
      out[c.name] = c.unit;
      if (bounds) out[c.name + "_lo"] = out[c.name + "_hi"] = c.unit;
    }
    return out;
  };
  return {{"units",
           {{"fen", "1/100 RMB"},
            {"share", "a fraction in [0, 1] (growth: any value)"},
            {"count", "a number of things"},
            {"days", "days"}}},
          {"timeseries.csv", columns(daily_info(), true)},
          {"monthly.csv", columns(monthly_info(), true)},
          {"quarterly.csv", columns(quarterly_info(), true)},
          {"replications.csv", columns(metric_info(), false)},
          {"search_by_category.csv",
           {{"intent_sessions", "count"},
            {"intent_sessions_lo", "count"},
            {"intent_sessions_hi", "count"},
            {"met_share", "share"},
            {"met_share_lo", "share"},
            {"met_share_hi", "share"}}},
          {"daily_replications.csv", columns(daily_info(), false)},
          {"periods_long.csv", {{"value", "the row's unit column"}}}};
}

// Every replication's monthly and quarterly values in tidy long form (one
// row per period, replication and metric, with the metric's unit): what
// paired differences over time, or any other statistic, are computed from.
std::string periods_long_csv(const RunResult& r) {
  std::ostringstream out;
  out << "period,replication,seed,metric,unit,value\n";
  const auto table = [&](const std::vector<std::string>& labels,
                         const std::vector<ColumnInfo>& columns,
                         Eigen::MatrixXd ReplicationResult::*matrix) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      for (const auto& rep : r.replications) {
        const Eigen::MatrixXd& m = rep.*matrix;
        for (std::size_t c = 0; c < columns.size(); ++c) {
          if (static_cast<Eigen::Index>(i) >= m.rows()) continue;
          out << labels[i] << "," << rep.index << "," << rep.seed << "," << columns[c].name << ","
              << columns[c].unit << ","
              << csv_number(m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c))) << "\n";
        }
      }
    }
  };
  table(r.months, monthly_info(), &ReplicationResult::monthly);
  table(r.quarters, quarterly_info(), &ReplicationResult::quarterly);
  return out.str();
}

// Every replication's daily values, one row per replication and day (the
// columns of timeseries.csv without the intervals): paired daily differences
// between two runs with the same seeds, or any statistic over replications.
std::string daily_replications_csv(const RunResult& r) {
  std::ostringstream out;
  out << "replication,seed,day,date";
  for (const auto& c : daily_info()) out << "," << c.name;
  out << "\n";
  for (const auto& rep : r.replications) {
    for (Eigen::Index d = 0; d < rep.daily.rows(); ++d) {
      out << rep.index << "," << rep.seed << "," << d << ","
          << format_date(r.scenario.calendar.start + static_cast<int>(d));
      for (Eigen::Index c = 0; c < rep.daily.cols(); ++c) out << "," << csv_number(rep.daily(d, c));
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace linksim::detail
