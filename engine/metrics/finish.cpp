#include "metrics/finish.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "metrics/periods.hpp"
#include "metrics/stats.hpp"

namespace linksim::detail {

namespace {

using namespace std::chrono;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

namespace {

// Model v2's monthly columns: flows summed over the month's days, states at
// its last day, and the month's records (buyers seen, streamers' income).
void monthly_v2(const Scenario& s, const Recorder& rec, const MonthSpan& span, std::size_t c,
                Eigen::MatrixXd& t, Eigen::Index i) {
  auto col = [](Monthly m) { return static_cast<int>(m); };
  constexpr std::pair<Monthly, Daily> sums[] = {
      {Monthly::gmv_search, Daily::gmv_search},
      {Monthly::gmv_pool, Daily::gmv_pool},
      {Monthly::buyer_arrivals, Daily::buyer_arrivals},
      {Monthly::buyer_lapses, Daily::buyer_lapses},
      {Monthly::buyer_returns, Daily::buyer_returns},
      {Monthly::intent_sessions, Daily::sessions_search},
      {Monthly::rich_categories, Daily::rich_categories},
      {Monthly::streamer_entries, Daily::streamer_entries},
      {Monthly::streamer_exits, Daily::streamer_exits},
      {Monthly::subsidies, Daily::subsidies},
      {Monthly::gmv_native, Daily::gmv_native},
      {Monthly::gmv_origin_taobao, Daily::gmv_origin_taobao},
      {Monthly::gmv_origin_jd, Daily::gmv_origin_jd},
      {Monthly::entries_native, Daily::entries_native},
      {Monthly::entries_origin_taobao, Daily::entries_origin_taobao},
      {Monthly::entries_origin_jd, Daily::entries_origin_jd},
      {Monthly::exits_native, Daily::exits_native},
      {Monthly::exits_origin_taobao, Daily::exits_origin_taobao},
      {Monthly::exits_origin_jd, Daily::exits_origin_jd},
  };
  double met = 0;
  for (int d = span.first; d < span.first + span.days; ++d) {
    for (const auto& [m, dcol] : sums) t(i, col(m)) += rec.at(d, dcol);
    met += rec.at(d, Daily::intent_met);
  }
  t(i, col(Monthly::rich_categories)) /= span.days;
  const int last = span.first + span.days - 1;
  for (const auto& [m, dcol] : {std::pair{Monthly::streamers_present, Daily::streamers_present},
                                {Monthly::active_native, Daily::active_native},
                                {Monthly::active_origin_taobao, Daily::active_origin_taobao},
                                {Monthly::active_origin_jd, Daily::active_origin_jd}}) {
    t(i, col(m)) = rec.at(last, dcol);
  }
  t(i, col(Monthly::intent_met_share)) = ratio(met, t(i, col(Monthly::intent_sessions)));
  t(i, col(Monthly::gmv_merchant_links)) =
      t(i, col(Monthly::gmv_taobao)) + t(i, col(Monthly::gmv_jd)) - t(i, col(Monthly::gmv_pool));
  t(i, col(Monthly::gmv_platform)) = t(i, col(Monthly::gmv)) * platform_factor(s);
  t(i, col(Monthly::active_buyers)) = static_cast<double>(rec.buyers_seen[c]);
  t(i, col(Monthly::streamer_income_median)) = rec.streamer_income_median[c];
  t(i, col(Monthly::streamer_income_top1)) = rec.streamer_income_top1[c];
}

// `cohort_offset`: the recorder's month index of the horizon's first month.
Eigen::MatrixXd monthly_table(const Scenario& s, const Recorder& rec,
                              const std::vector<MonthSpan>& spans, int cohort_offset) {
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
    monthly_v2(s, rec, spans[m], c, t, i);
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
void market_metrics(const Scenario& s, const World& w, const std::vector<MonthSpan>& spans,
                    int days, const MetricSetter& set) {
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
  // Model v2.
  set(Metric::gmv_platform, gmv * platform_factor(s));
  set(Metric::gmv_search, total(Daily::gmv_search));
  set(Metric::gmv_pool, total(Daily::gmv_pool));
  set(Metric::subsidies, total(Daily::subsidies));
  set(Metric::gmv_native, total(Daily::gmv_native));
  set(Metric::gmv_origin_taobao, total(Daily::gmv_origin_taobao));
  set(Metric::gmv_origin_jd, total(Daily::gmv_origin_jd));
  set(Metric::buyer_arrivals, total(Daily::buyer_arrivals));
  set(Metric::buyer_lapses, total(Daily::buyer_lapses));
  set(Metric::buyer_returns, total(Daily::buyer_returns));
  set(Metric::intent_met_share, ratio(total(Daily::intent_met), total(Daily::sessions_search)));
  const Recorder& rec = w.recorder;
  // Day 0's state is the warm-up's last day (the recorder holds it), else day 0's own.
  const int before = rec.offset > 0 ? -1 : 0;
  set(Metric::buyers_start, rec.at(before, Daily::active_buyers));
  set(Metric::buyers_end, days > 0 ? rec.at(days - 1, Daily::active_buyers) : nan);
  set(Metric::streamers_start, rec.at(before, Daily::streamers_present));
  set(Metric::streamers_end, days > 0 ? rec.at(days - 1, Daily::streamers_present) : nan);
  set(Metric::streamer_entries, total(Daily::streamer_entries));
  set(Metric::streamer_exits, total(Daily::streamer_exits));
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
  // By origin (v2's reports): day-0 merchants and those kept 90 days, entries, exits.
  std::array<double, origin_count> initial_by{0, 0, 0}, kept_by{0, 0, 0}, entries_by{0, 0, 0},
      exits_by{0, 0, 0};
  const std::array<int, 3> horizons{30, 90, 180};
  std::vector<std::pair<double, bool>> cold;  // days in cold start, ended or censored
  for (const Merchant& m : w.merchants) {
    if (m.pool || (!m.initial && m.join_day < 0)) continue;  // joined and left in the warm-up
    const auto o = static_cast<std::size_t>(m.origin);
    exits += m.state == MerchantState::exited;
    exits_by[o] += m.state == MerchantState::exited;
    if (m.initial) {
      ++initial;
      ++initial_by[o];
      for (int h = 0; h < 3; ++h) kept[h] += m.active_after(horizons[h]);
      kept_by[o] += m.active_after(90);
    } else {
      ++entries;
      ++entries_by[o];
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
  set(Metric::retention_90_native, days >= 90 ? ratio(kept_by[0], initial_by[0]) : nan);
  set(Metric::retention_90_taobao, days >= 90 ? ratio(kept_by[1], initial_by[1]) : nan);
  set(Metric::retention_90_jd, days >= 90 ? ratio(kept_by[2], initial_by[2]) : nan);
  set(Metric::entries_native, entries_by[0]);
  set(Metric::entries_origin_taobao, entries_by[1]);
  set(Metric::entries_origin_jd, entries_by[2]);
  set(Metric::exits_native, exits_by[0]);
  set(Metric::exits_origin_taobao, exits_by[1]);
  set(Metric::exits_origin_jd, exits_by[2]);
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
  r.monthly = monthly_table(s, rec, spans, cohort_offset);
  r.quarterly = quarterly_table(s, r.monthly, spans);
  // Intent sessions and the share met, by month and category.
  const auto k_count = static_cast<Eigen::Index>(s.categories.size());
  r.by_category = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(spans.size()), 2 * k_count);
  for (std::size_t m = 0; m < spans.size(); ++m) {
    const std::size_t row = (m + static_cast<std::size_t>(cohort_offset)) * rec.categories;
    for (Eigen::Index k = 0; k < k_count && rec.categories > 0; ++k) {
      const auto sessions = static_cast<double>(rec.intent_by_category[row + k]);
      const auto met = static_cast<double>(rec.met_by_category[row + k]);
      r.by_category(static_cast<Eigen::Index>(m), 2 * k) = sessions;
      r.by_category(static_cast<Eigen::Index>(m), 2 * k + 1) = ratio(met, sessions);
    }
  }
  r.metrics.assign(metric_count, nan);
  const MetricSetter set{r};
  market_metrics(s, w, spans, days, set);
  streamer_metrics(w, set);
  merchant_metrics(w, days, cohort_offset, set);
  return r;
}

}  // namespace linksim::detail
