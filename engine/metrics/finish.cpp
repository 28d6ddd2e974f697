#include "metrics/finish.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace linksim::detail {

namespace {

using namespace std::chrono;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

year_month ym_of(Date d) {
  const year_month_day ymd{sys_days{days{d}}};
  return {ymd.year(), ymd.month()};
}

struct MonthSpan {
  int first = 0;  // horizon day index
  int days = 0;   // days of the month inside the horizon
  bool full = false;
  year_month ym;
};

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

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return nan;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double ratio(double a, double b) { return b > 0 ? a / b : nan; }

}  // namespace

std::vector<int> month_index(const Scenario& s) {
  std::vector<int> out(s.calendar.days);
  const auto spans = month_spans(s);
  for (std::size_t m = 0; m < spans.size(); ++m) {
    for (int d = spans[m].first; d < spans[m].first + spans[m].days; ++d)
      out[d] = static_cast<int>(m);
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

namespace {

// `cohort_offset`: the recorder's month index of the horizon's first month.
Eigen::MatrixXd monthly_table(const Recorder& rec, const std::vector<MonthSpan>& spans,
                              int cohort_offset) {
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(spans.size()), monthly_count);
  auto col = [](Monthly c) { return static_cast<int>(c); };
  for (std::size_t m = 0; m < spans.size(); ++m) {
    const auto i = static_cast<Eigen::Index>(m);
    for (int d = spans[m].first; d < spans[m].first + spans[m].days; ++d) {
      t(i, col(Monthly::gmv_store)) += rec.at(d, Daily::gmv_store);
      t(i, col(Monthly::gmv_taobao)) += rec.at(d, Daily::gmv_taobao);
      t(i, col(Monthly::gmv_jd)) += rec.at(d, Daily::gmv_jd);
      t(i, col(Monthly::gmv_live)) += rec.at(d, Daily::gmv_live);
      t(i, col(Monthly::gmv_video)) += rec.at(d, Daily::gmv_video);
      t(i, col(Monthly::lost_gmv)) += rec.at(d, Daily::lost_gmv);
      t(i, col(Monthly::entries)) += rec.at(d, Daily::entries);
      t(i, col(Monthly::exits)) += rec.at(d, Daily::exits);
    }
    const double gmv =
        t(i, col(Monthly::gmv_store)) + t(i, col(Monthly::gmv_taobao)) + t(i, col(Monthly::gmv_jd));
    t(i, col(Monthly::gmv)) = gmv;
    t(i, col(Monthly::in_store_share)) = ratio(t(i, col(Monthly::gmv_store)), gmv);
    t(i, col(Monthly::gmv_growth)) = m == 0 ? nan : ratio(gmv, t(i - 1, col(Monthly::gmv))) - 1.0;
    t(i, col(Monthly::active_merchants)) =
        rec.at(spans[m].first + spans[m].days - 1, Daily::active_merchants);
    const std::size_t c = m + cohort_offset;
    t(i, col(Monthly::new_merchants)) = static_cast<double>(rec.joined[c]);
    t(i, col(Monthly::new_merchant_retention)) =
        rec.retained_next_month[c] < 0 ? nan
                                       : ratio(static_cast<double>(rec.retained_next_month[c]),
                                               static_cast<double>(rec.joined[c]));
  }
  return t;
}

// Growth of the last full period of `len` months over the one before it.
double last_growth(const std::vector<MonthSpan>& spans, const Eigen::MatrixXd& t, int len,
                   bool calendar_quarters) {
  std::vector<std::pair<int, double>> periods;  // (first month index, gmv) of full periods
  for (std::size_t m = 0; m + len <= spans.size(); ++m) {
    if (calendar_quarters && (static_cast<unsigned>(spans[m].ym.month()) - 1) % 3 != 0) continue;
    bool full = true;
    double gmv = 0;
    for (int k = 0; k < len; ++k) {
      full = full && spans[m + k].full;
      gmv += t(static_cast<Eigen::Index>(m + k), static_cast<int>(Monthly::gmv));
    }
    if (full) periods.emplace_back(static_cast<int>(m), gmv);
  }
  if (periods.size() < 2) return nan;
  const auto& a = periods[periods.size() - 2];
  const auto& b = periods.back();
  if (b.first - a.first != len) return nan;
  return ratio(b.second, a.second) - 1.0;
}

// The last full month's GMV over the same month a year before.
double year_on_year(const std::vector<MonthSpan>& spans, const Eigen::MatrixXd& t) {
  for (std::size_t m = spans.size(); m-- > 12;) {
    if (!spans[m].full) continue;
    if (!spans[m - 12].full) return nan;
    const auto gmv = static_cast<int>(Monthly::gmv);
    return ratio(t(static_cast<Eigen::Index>(m), gmv), t(static_cast<Eigen::Index>(m - 12), gmv)) -
           1.0;
  }
  return nan;
}

// Kaplan-Meier median of durations; `ended` false marks a censored one.
double km_median(std::vector<std::pair<double, bool>> d) {
  std::sort(d.begin(), d.end());
  double survival = 1.0;
  std::size_t at_risk = d.size();
  for (std::size_t i = 0; i < d.size();) {
    std::size_t j = i, events = 0;
    while (j < d.size() && d[j].first == d[i].first) events += d[j++].second;
    if (events > 0) {
      survival *= 1.0 - static_cast<double>(events) / static_cast<double>(at_risk);
      if (survival <= 0.5) return d[i].first;
    }
    at_risk -= j - i;
    i = j;
  }
  return nan;
}

// Sets one metric of a replication.
struct MetricSetter {
  ReplicationResult& r;
  void operator()(Metric m, double v) const { r.metrics[static_cast<int>(m)] = v; }
  double total(Daily c) const { return r.daily.col(static_cast<int>(c)).sum(); }
};

// GMV, its growth, orders, buyers and the platform's money.
void market_metrics(const World& w, const std::vector<MonthSpan>& spans, int days,
                    const MetricSetter& set) {
  const auto total = [&](Daily c) { return set.total(c); };
  const double gmv = total(Daily::gmv_store) + total(Daily::gmv_taobao) + total(Daily::gmv_jd);
  set(Metric::gmv, gmv);
  set(Metric::gmv_store, total(Daily::gmv_store));
  set(Metric::gmv_taobao, total(Daily::gmv_taobao));
  set(Metric::gmv_jd, total(Daily::gmv_jd));
  set(Metric::gmv_live, total(Daily::gmv_live));
  set(Metric::gmv_video, total(Daily::gmv_video));
  set(Metric::in_store_share, ratio(total(Daily::gmv_store), gmv));
  set(Metric::lost_gmv, total(Daily::lost_gmv));
  set(Metric::gmv_growth_last_month, last_growth(spans, set.r.monthly, 1, false));
  set(Metric::gmv_growth_last_quarter, last_growth(spans, set.r.monthly, 3, true));
  set(Metric::gmv_growth_yoy, year_on_year(spans, set.r.monthly));
  set(Metric::orders, total(Daily::orders));
  set(Metric::average_order_value, ratio(gmv, total(Daily::orders)));
  set(Metric::conversion, ratio(total(Daily::orders_placed), total(Daily::sessions)));
  set(Metric::mean_trust, days > 0 ? total(Daily::mean_trust) / days : nan);
  set(Metric::external_session_share,
      ratio(total(Daily::sessions_external), total(Daily::sessions)));
  set(Metric::platform_revenue, total(Daily::platform_revenue));
  set(Metric::platform_store_fees, static_cast<double>(w.accounts.platform_store_fees));
  set(Metric::platform_cps, static_cast<double>(w.accounts.platform_cps));
  set(Metric::platform_link_fees, static_cast<double>(w.accounts.platform_link_fees));
  set(Metric::rich_categories, days > 0 ? total(Daily::rich_categories) / days : nan);
}

// Streamers' commission income: median, 99th percentile, top 1% share.
void streamer_metrics(const World& w, const MetricSetter& set) {
  std::vector<double> income;
  double income_total = 0;
  for (const auto& st : w.streamers) {
    income.push_back(static_cast<double>(st.income));
    income_total += static_cast<double>(st.income);
  }
  set(Metric::streamer_income_median, percentile(income, 0.5));
  set(Metric::streamer_income_top1, percentile(income, 0.99));
  std::sort(income.begin(), income.end(), std::greater<>());
  const auto top = static_cast<std::size_t>(std::ceil(0.01 * static_cast<double>(income.size())));
  double top_sum = 0;
  for (std::size_t i = 0; i < top && i < income.size(); ++i) top_sum += income[i];
  set(Metric::streamer_top1_share, ratio(top_sum, income_total));
}

// Merchants: day-0 retention, entries and exits, cohorts, cold start.
void merchant_metrics(const World& w, int days, int cohort_offset, const MetricSetter& set) {
  const Recorder& rec = w.recorder;
  double initial = 0, entries = 0, exits = 0, reached = 0;
  std::array<double, 3> kept{0, 0, 0};
  const std::array<int, 3> horizons{30, 90, 180};
  std::vector<std::pair<double, bool>> cold;  // days in cold start, ended or censored
  for (const Merchant& m : w.merchants) {
    if (!m.initial && m.join_day < 0) continue;  // joined and left in the warm-up
    exits += m.state == MerchantState::exited;
    if (m.initial) {
      ++initial;
      for (int h = 0; h < 3; ++h) kept[h] += m.active_after(horizons[h]);
    } else {
      ++entries;
      if (m.cold_start_day != never) {
        ++reached;
        cold.emplace_back(m.cold_start_day - m.join_day, true);
      } else {
        const int until = m.state == MerchantState::exited ? m.exit_day : days;
        cold.emplace_back(until - m.join_day, false);
      }
    }
  }
  set(Metric::merchants_start, initial);
  set(Metric::merchants_end, days > 0 ? rec.at(days - 1, Daily::active_merchants) : initial);
  set(Metric::entries, entries);
  set(Metric::exits, exits);
  set(Metric::returns, set.total(Daily::returns));
  set(Metric::retention_30, days >= 30 ? ratio(kept[0], initial) : nan);
  set(Metric::retention_90, days >= 90 ? ratio(kept[1], initial) : nan);
  set(Metric::retention_180, days >= 180 ? ratio(kept[2], initial) : nan);
  double joined = 0, retained = 0;
  for (std::size_t m = static_cast<std::size_t>(cohort_offset); m < rec.joined.size(); ++m) {
    if (rec.retained_next_month[m] < 0) continue;
    joined += static_cast<double>(rec.joined[m]);
    retained += static_cast<double>(rec.retained_next_month[m]);
  }
  set(Metric::new_merchant_retention, ratio(retained, joined));
  set(Metric::cold_start_median_days, km_median(cold));
  set(Metric::cold_start_reached, ratio(reached, entries));
}

}  // namespace

ReplicationResult finish_replication(const Scenario& s, const World& w) {
  ReplicationResult r;
  const Recorder& rec = w.recorder;
  const int days = s.calendar.days;  // the horizon; the warm-up rows come first
  r.daily =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          rec.daily.data() + static_cast<std::ptrdiff_t>(rec.offset) * daily_count, days,
          daily_count);
  const auto spans = month_spans(s);
  const int cohort_offset = w.month_of_day[rec.offset];
  r.monthly = monthly_table(rec, spans, cohort_offset);
  r.metrics.assign(metric_count, nan);
  const MetricSetter set{r};
  market_metrics(w, spans, days, set);
  streamer_metrics(w, set);
  merchant_metrics(w, days, cohort_offset, set);
  return r;
}

}  // namespace linksim::detail
