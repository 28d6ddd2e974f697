// Reading a calibration target and measuring the model on it. A period is a
// calendar month (YYYY-MM) or quarter (YYYY-Qn) that lies wholly inside the
// horizon; a quarter's value is built from its months the way the monthly
// table builds a month's from its days (flows summed, shares as ratios of
// sums, stocks at the period's end, growth over the period before).
#include "analysis/target.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "metrics/files.hpp"
#include "metrics/finish.hpp"
#include "metrics/recorder.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct Field {
  std::string text;
  int column = 1;  // 1-based
};

// One CSV line as trimmed fields (double quotes around a field are dropped).
std::vector<Field> split(const std::string& line) {
  std::vector<Field> out;
  std::size_t b = 0;
  while (true) {
    const auto e = line.find(',', b);
    std::string t = line.substr(b, e == std::string::npos ? e : e - b);
    std::size_t lead = t.find_first_not_of(" \t");
    const std::size_t trail = t.find_last_not_of(" \t");
    if (lead == std::string::npos) {
      lead = t.size();
      t.clear();
    } else {
      t = t.substr(lead, trail - lead + 1);
    }
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    out.push_back({t, static_cast<int>(b + lead) + 1});
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

bool parse_number(const std::string& t, double& out) {
  const char* first = t.data() + (t.size() > 1 && t[0] == '+' ? 1 : 0);
  const char* last = t.data() + t.size();
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && end == last && std::isfinite(out);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Factor from a written unit to the metric's unit; 0 when the unit does not fit.
double unit_factor(const std::string& metric_unit, const std::string& written) {
  const std::string u = lower(written);
  if (u.empty() || u == metric_unit) return 1;
  if (metric_unit == "fen") {
    if (u == "rmb" || u == "yuan" || u == "元") return 100;
    if (u == "万" || u == "万元" || u == "万rmb") return 1e6;
    if (u == "亿" || u == "亿元" || u == "亿rmb") return 1e10;
    if (u == "bn rmb" || u == "billion rmb" || u == "bn yuan") return 1e11;
  }
  if (metric_unit == "share" && (u == "percent" || u == "%")) return 0.01;
  if (metric_unit == "share" && u == "fraction") return 1;
  return 0;
}

std::string units_for(const std::string& metric_unit) {
  if (metric_unit == "fen") return "fen, rmb (元), 万, 亿 or bn rmb";
  if (metric_unit == "share") return "share, fraction or percent";
  return "count";
}

// The months of the horizon: "YYYY-MM" labels and whether each lies wholly inside.
struct Months {
  std::vector<std::string> labels;
  std::vector<bool> full;
  int index(const std::string& label) const {
    const auto it = std::find(labels.begin(), labels.end(), label);
    return it == labels.end() ? -1 : static_cast<int>(it - labels.begin());
  }
};

Months horizon_months(const Scenario& s) {
  Months m;
  m.labels = month_labels(s);
  m.full.assign(m.labels.size(), true);
  if (!m.labels.empty()) {
    m.full.front() = format_date(s.calendar.start).substr(8) == "01";
    m.full.back() = m.full.back() && last_day_of_month(s.end() - 1);
  }
  return m;
}

// "YYYY-MM" or "YYYY-Qn" as its months' labels; empty when malformed.
std::vector<std::string> period_months(const std::string& p) {
  auto digits = [&](std::size_t from, std::size_t n) {
    return p.size() >= from + n && std::all_of(p.begin() + from, p.begin() + from + n,
                                               [](char c) { return c >= '0' && c <= '9'; });
  };
  if (p.size() == 7 && digits(0, 4) && p[4] == '-' && digits(5, 2)) {
    const int month = std::stoi(p.substr(5));
    if (month >= 1 && month <= 12) return {p};
  }
  if (p.size() == 7 && digits(0, 4) && p[4] == '-' && (p[5] == 'Q' || p[5] == 'q') && p[6] >= '1' &&
      p[6] <= '4') {
    std::vector<std::string> out;
    for (int k = 0; k < 3; ++k) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%02d", 3 * (p[6] - '1') + k + 1);
      out.push_back(p.substr(0, 4) + "-" + buf);
    }
    return out;
  }
  return {};
}

// Months (horizon indices) of the period `shift` periods of the same length
// away; empty when any is outside the horizon or only partly inside it.
std::vector<int> shifted(const Months& h, const std::vector<int>& months, int shift) {
  std::vector<int> out;
  const int len = static_cast<int>(months.size());
  for (int m : months) {
    const int i = m + shift * len;
    if (i < 0 || i >= static_cast<int>(h.labels.size()) || !h.full[i]) return {};
    out.push_back(i);
  }
  return out;
}

}  // namespace

std::vector<TargetRow> read_target(const fs::path& file, const Scenario& s) {
  std::string text;
  // A target is a small CSV: 64 MiB is far more than any series of quarters.
  if (const std::string problem = input_file_problem(file, 64u << 20); !problem.empty()) {
    throw ScenarioError({file.string() + ":1:1: cannot read the calibration target: " + problem +
                         " (expected an existing, readable CSV file)"});
  }
  try {
    text = read_text(file);
  } catch (const std::exception&) {
    throw ScenarioError({file.string() + ":1:1: cannot read the calibration target (expected an "
                                         "existing, readable CSV file)"});
  }
  return read_target_text(std::move(text), file, s);
}

std::vector<TargetRow> read_target_text(std::string text, const fs::path& file, const Scenario& s) {
  if (const std::size_t bad = invalid_utf8(text); bad != std::string::npos) {
    throw ScenarioError({file.string() + ":" + line_column(text, bad) +
                         ": invalid UTF-8 (expected a UTF-8 CSV file; save it as UTF-8)"});
  }
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a spreadsheet's byte-order mark
  std::vector<std::string> problems;
  auto fail = [&](int line, int column, const std::string& key, const std::string& msg) {
    problems.push_back(file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                       ": " + (key.empty() ? "" : key + ": ") + msg);
  };
  const Months h = horizon_months(s);
  const auto& info = monthly_info();
  std::string names;
  for (const auto& c : info) names += (names.empty() ? "" : ", ") + c.name;
  names += ", gmv_growth_qoq, gmv_growth_yoy";

  std::map<std::string, int> col;  // column name -> field index
  std::vector<TargetRow> rows;
  std::map<std::pair<std::string, std::string>, int> seen;  // (period, metric) -> line
  std::size_t pos = 0;
  for (int line = 1; pos < text.size(); ++line) {
    const auto eol = text.find('\n', pos);
    std::string l = text.substr(pos, eol == std::string::npos ? eol : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.find_first_not_of(" \t") == std::string::npos || l[l.find_first_not_of(" \t")] == '#')
      continue;
    const auto fields = split(l);
    if (col.empty()) {  // the header
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name = lower(fields[i].text);
        if (name != "period" && name != "metric" && name != "value" && name != "weight" &&
            name != "unit" && name != "note" && name != "source") {
          fail(line, fields[i].column, "",
               "unknown column '" + fields[i].text +
                   "' (expected period, metric, value and optionally weight, unit, note and "
                   "source)");
        } else if (!col.emplace(name, static_cast<int>(i)).second) {
          fail(line, fields[i].column, name, "column given twice (expected it once)");
        }
      }
      for (const char* need : {"period", "metric", "value"}) {
        if (!col.count(need)) {
          fail(line, 1, "",
               std::string("the header has no '") + need +
                   "' column (expected period,metric,value[,weight][,unit][,note][,source])");
        }
      }
      if (!problems.empty()) break;
      continue;
    }
    auto field = [&](const char* name) -> const Field* {
      const auto it = col.find(name);
      if (it == col.end()) return nullptr;
      static const Field missing{};
      return it->second < static_cast<int>(fields.size()) ? &fields[it->second] : &missing;
    };
    if (fields.size() != col.size()) {
      fail(line, 1, "",
           "expected " + std::to_string(col.size()) + " fields like the header, got " +
               std::to_string(fields.size()));
      continue;
    }
    TargetRow row;
    row.line = line;
    const Field& period = *field("period");
    const Field& metric = *field("metric");
    const Field& value = *field("value");
    row.period = period.text;
    if (row.period.size() == 7 && row.period[5] == 'q') row.period[5] = 'Q';
    row.metric = metric.text;
    bool ok = true;
    // Growth over the quarter (or month) before, or over the same period a
    // year before: both the monthly table's gmv_growth, measured against
    // different months.
    row.yoy = metric.text == "gmv_growth_yoy";
    const std::string column_name =
        row.yoy || metric.text == "gmv_growth_qoq" ? "gmv_growth" : metric.text;
    const auto metric_at = std::find_if(info.begin(), info.end(),
                                        [&](const ColumnInfo& c) { return c.name == column_name; });
    if (metric_at == info.end()) {
      fail(line, metric.column, "metric",
           "unknown metric '" + metric.text + "' (expected one of " + names + ")");
      ok = false;
    } else {
      row.column = static_cast<int>(metric_at - info.begin());
      row.unit = metric_at->unit;
    }
    const auto labels = period_months(period.text);
    if (labels.empty()) {
      fail(line, period.column, "period",
           "expected a month YYYY-MM or a quarter YYYY-Qn, got '" + period.text + "'");
      ok = false;
    }
    for (const auto& label : labels) {
      const int m = h.index(label);
      if (m < 0 || !h.full[m]) {
        fail(line, period.column, "period",
             "'" + period.text + "' is " + (m < 0 ? "outside" : "only partly inside") +
                 " the horizon (expected whole months from " + format_date(s.calendar.start) +
                 " to " + format_date(s.end() - 1) + ")");
        ok = false;
        break;
      }
      row.months.push_back(m);
    }
    if (ok && row.column == static_cast<int>(Monthly::gmv_growth)) {
      const int len = static_cast<int>(row.months.size());
      row.before = shifted(h, row.months, row.yoy ? -12 / len : -1);
      if (row.before.empty()) {
        fail(line, period.column, "period",
             row.metric + " of '" + period.text + "' needs " +
                 (row.yoy ? "the same period a year before" : "the period before it") +
                 " wholly inside the horizon (expected a later period, or an earlier "
                 "calendar.start)");
        ok = false;
      }
    }
    if (ok && row.column == static_cast<int>(Monthly::new_merchant_retention) &&
        shifted(h, {row.months.back()}, 1).empty()) {
      fail(line, period.column, "period",
           "new_merchant_retention of '" + period.text +
               "' is measured at the end of the next month, which is not wholly inside the "
               "horizon (expected an earlier period, or more calendar.days)");
      ok = false;
    }
    double factor = 1;
    if (const Field* unit = field("unit"); unit != nullptr && ok) {
      factor = unit_factor(row.unit, unit->text);
      if (factor == 0) {
        fail(line, unit->column, "unit",
             "'" + unit->text + "' is not a unit of " + row.metric + " (expected " +
                 units_for(row.unit) + ")");
        ok = false;
      }
    }
    if (!parse_number(value.text, row.value)) {
      fail(line, value.column, "value", "expected a number, got '" + value.text + "'");
      ok = false;
    }
    row.value *= factor;
    if (const Field* weight = field("weight"); weight != nullptr && !weight->text.empty()) {
      if (!parse_number(weight->text, row.weight) || row.weight < 0) {
        fail(line, weight->column, "weight",
             "expected a number >= 0 (empty: 1), got '" + weight->text + "'");
        ok = false;
      }
    }
    if (!ok) continue;
    const auto [first, fresh] = seen.emplace(std::pair(row.period, row.metric), line);
    if (!fresh) {
      fail(line, period.column, "period",
           "duplicate row for " + row.period + " " + row.metric +
               " (expected each period and metric once; first at line " +
               std::to_string(first->second) + ")");
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (problems.empty() && col.empty()) {
    fail(1, 1, "",
         "empty file (expected a header period,metric,value[,weight][,unit][,note][,source] and "
         "rows)");
  } else if (problems.empty() && rows.empty()) {
    fail(1, 1, "", "no rows (expected at least one period, metric and value)");
  } else if (problems.empty() && std::all_of(rows.begin(), rows.end(),
                                             [](const TargetRow& r) { return r.weight == 0; })) {
    fail(rows.front().line, 1, "weight", "every weight is 0 (expected at least one positive)");
  }
  if (!problems.empty()) throw ScenarioError(problems);

  // Each metric's scale: the RMS of its target values (1 when they are all 0).
  std::map<std::string, std::pair<double, int>> squares;
  for (const auto& r : rows) {
    auto& [sum, n] = squares[r.metric];
    sum += r.value * r.value;
    ++n;
  }
  for (auto& r : rows) {
    const auto& [sum, n] = squares[r.metric];
    const double rms = std::sqrt(sum / n);
    r.scale = rms > 0 ? rms : 1.0;
  }
  return rows;
}

std::vector<double> target_values(const std::vector<TargetRow>& target,
                                  const Eigen::MatrixXd& monthly) {
  auto sum = [&](const std::vector<int>& months, Monthly c) {
    double total = 0;
    for (int m : months) total += monthly(m, static_cast<int>(c));
    return total;
  };
  auto ratio = [](double a, double b) { return b > 0 ? a / b : nan; };
  std::vector<double> out;
  out.reserve(target.size());
  for (const auto& r : target) {
    const auto c = static_cast<Monthly>(r.column);
    double v = nan;
    switch (c) {
      case Monthly::in_store_share:
        v = ratio(sum(r.months, Monthly::gmv_store), sum(r.months, Monthly::gmv));
        break;
      case Monthly::gmv_growth:
        v = ratio(sum(r.months, Monthly::gmv), sum(r.before, Monthly::gmv)) - 1.0;
        break;
      case Monthly::active_merchants:
        v = monthly(r.months.back(), r.column);
        break;
      case Monthly::new_merchant_retention: {
        double kept = 0, joined = 0;
        for (int m : r.months) {
          const double n = monthly(m, static_cast<int>(Monthly::new_merchants));
          if (n > 0) {
            kept += n * monthly(m, r.column);
            joined += n;
          }
        }
        v = ratio(kept, joined);
        break;
      }
      default:  // flows: GMV by channel, losses, entries, exits, new merchants
        v = sum(r.months, c);
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace linksim::detail
