// The calendar of the outputs: the horizon's months and quarters, their
// labels, and the quarterly table built from the monthly one.
#include "metrics/periods.hpp"

#include <chrono>
#include <cstdio>
#include <limits>

#include "metrics/recorder.hpp"
#include "metrics/stats.hpp"

namespace linksim::detail {

using namespace std::chrono;

namespace {

year_month ym_of(Date d) {
  const year_month_day ymd{sys_days{days{d}}};
  return {ymd.year(), ymd.month()};
}

}  // namespace

std::vector<MonthSpan> month_spans(const Scenario& s) {
  std::vector<MonthSpan> out;
  for (int d = 0; d < s.calendar.days; ++d) {
    const year_month ym = ym_of(s.calendar.start + d);
    if (out.empty() || out.back().ym != ym) out.push_back({d, 0, false, ym});
    ++out.back().days;
  }
  for (auto& m : out) {
    m.full = m.days == days_in_month(sys_days{m.ym / 1}.time_since_epoch().count());
  }
  return out;
}

std::vector<int> month_index(const Scenario& s) {
  std::vector<int> out(s.calendar.days);
  const auto spans = month_spans(s);
  for (std::size_t m = 0; m < spans.size(); ++m) {
    for (int d = spans[m].first; d < spans[m].first + spans[m].days; ++d)
      out[d] = static_cast<int>(m);
  }
  return out;
}

std::vector<QuarterSpan> quarter_spans(const std::vector<MonthSpan>& spans) {
  std::vector<QuarterSpan> out;
  for (std::size_t m = 0; m < spans.size(); ++m) {
    const int year = static_cast<int>(spans[m].ym.year());
    const int q = 1 + (static_cast<int>(static_cast<unsigned>(spans[m].ym.month())) - 1) / 3;
    if (out.empty() || out.back().year != year || out.back().quarter != q) {
      out.push_back({{}, true, year, q});
    }
    out.back().months.push_back(static_cast<int>(m));
    out.back().whole = out.back().whole && spans[m].full;
  }
  for (auto& q : out) q.whole = q.whole && q.months.size() == 3;
  return out;
}

std::vector<std::string> quarter_labels(const Scenario& s) {
  std::vector<std::string> out;
  for (const auto& q : quarter_spans(month_spans(s))) {
    out.push_back(std::to_string(q.year) + "-Q" + std::to_string(q.quarter));
  }
  return out;
}

std::vector<std::string> month_labels(const Scenario& s) {
  std::vector<std::string> out;
  for (const auto& m : month_spans(s)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.ym.year()),
                  static_cast<unsigned>(m.ym.month()));
    out.push_back(buf);
  }
  return out;
}

// The quarterly table from the monthly one: sums of the months, shares of
// the sums, and growth against the quarter before and the same quarter a
// year before when both are whole (NaN otherwise).
Eigen::MatrixXd quarterly_table(const Scenario& s, const Eigen::MatrixXd& monthly,
                                const std::vector<MonthSpan>& spans) {
  const auto quarters = quarter_spans(spans);
  Eigen::MatrixXd t =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(quarters.size()), quarterly_count);
  auto col = [](Quarterly c) { return static_cast<int>(c); };
  auto mcol = [](Monthly c) { return static_cast<int>(c); };
  for (std::size_t q = 0; q < quarters.size(); ++q) {
    const auto i = static_cast<Eigen::Index>(q);
    for (int m : quarters[q].months) {
      t(i, col(Quarterly::gmv)) += monthly(m, mcol(Monthly::gmv));
      t(i, col(Quarterly::gmv_store)) += monthly(m, mcol(Monthly::gmv_store));
      t(i, col(Quarterly::entries)) += monthly(m, mcol(Monthly::entries));
      t(i, col(Quarterly::entries_native)) += monthly(m, mcol(Monthly::entries_native));
      t(i, col(Quarterly::entries_origin_taobao)) +=
          monthly(m, mcol(Monthly::entries_origin_taobao));
      t(i, col(Quarterly::entries_origin_jd)) += monthly(m, mcol(Monthly::entries_origin_jd));
    }
    t(i, col(Quarterly::gmv_platform)) = t(i, col(Quarterly::gmv)) * platform_factor(s);
    t(i, col(Quarterly::in_store_share)) =
        ratio(t(i, col(Quarterly::gmv_store)), t(i, col(Quarterly::gmv)));
    t(i, col(Quarterly::active_buyers)) =
        monthly(quarters[q].months.back(), mcol(Monthly::active_buyers));
    t(i, col(Quarterly::whole)) = quarters[q].whole ? 1.0 : 0.0;
    const auto growth = [&](std::size_t back) {
      if (q < back || !quarters[q].whole || !quarters[q - back].whole)
        return std::numeric_limits<double>::quiet_NaN();
      const auto j = static_cast<Eigen::Index>(q - back);
      return ratio(t(i, col(Quarterly::gmv)), t(j, col(Quarterly::gmv))) - 1.0;
    };
    t(i, col(Quarterly::gmv_growth_qoq)) = growth(1);
    t(i, col(Quarterly::gmv_growth_yoy)) = growth(4);
  }
  return t;
}

}  // namespace linksim::detail
