// Every output column, defined once: name, unit and meaning.
#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "linksim/result.hpp"
#include "metrics/recorder.hpp"

namespace linksim::detail {

const std::array<ColumnDef, daily_count>& daily_columns() {
  static const std::array<ColumnDef, daily_count> cols{{
      {"gmv_store", Unit::fen, "GMV through the platform's store"},
      {"gmv_taobao", Unit::fen, "GMV through Taobao Union links"},
      {"gmv_jd", Unit::fen, "GMV through JD Union links"},
      {"gmv_live", Unit::fen, "GMV from livestream carts"},
      {"gmv_video", Unit::fen, "GMV from short-video carts and product pages"},
      {"lost_gmv", Unit::fen, "value of orders lost to stockouts"},
      {"orders", Unit::count, "orders filled"},
      {"orders_placed", Unit::count, "orders placed, filled or not"},
      {"stockouts", Unit::count, "orders not filled for lack of stock"},
      {"late", Unit::count, "orders delivered late"},
      {"sessions", Unit::count, "buyer sessions"},
      {"sessions_live", Unit::count, "sessions in livestreams"},
      {"sessions_video", Unit::count, "sessions on short videos"},
      {"sessions_external", Unit::count, "sessions that saw at least one external link"},
      {"mean_trust", Unit::share, "mean buyer trust"},
      {"active_merchants", Unit::count, "merchants not exited (idle ones included)"},
      {"listed_merchants", Unit::count, "merchants with a listing shown anywhere"},
      {"entries", Unit::count, "merchants that joined"},
      {"exits", Unit::count, "merchants that exited"},
      {"platform_revenue", Unit::fen, "store fees + CPS share + external-link fees"},
      {"streamer_commission", Unit::fen, "commission paid to streamers"},
      {"rich_categories", Unit::count, "categories with at least richness_min_listings listings"},
      {"live_streamers", Unit::count, "streamers live"},
      {"returns", Unit::count, "dormant external merchants back when their links reopened"},
      {"in_store_share", Unit::share,
       "store share of the day's GMV (empty on a day without sales)"},
      {"gmv_search", Unit::fen, "GMV from intent sessions on the search surface"},
      {"gmv_pool", Unit::fen, "GMV of union pool listings (merchants with no Kuaishou store)"},
      {"sessions_search", Unit::count, "intent sessions (on the search surface)"},
      {"intent_met", Unit::count, "intent sessions that placed an order"},
      {"active_buyers", Unit::count,
       "buyers active (arrived and not lapsed) at the end of the day"},
      {"buyer_arrivals", Unit::count, "new buyers"},
      {"buyer_lapses", Unit::count, "buyers that lapsed"},
      {"buyer_returns", Unit::count, "lapsed buyers that came back"},
      {"streamers_present", Unit::count, "streamers on the platform (not left)"},
      {"streamer_entries", Unit::count, "streamers that joined"},
      {"streamer_exits", Unit::count, "streamers that left"},
      {"subsidies", Unit::fen, "subsidies paid by external platforms (discounts and bonuses)"},
      {"gmv_native", Unit::fen, "GMV of native merchants"},
      {"gmv_origin_taobao", Unit::fen, "GMV of Taobao-origin Kuaishou merchants (store or link)"},
      {"gmv_origin_jd", Unit::fen, "GMV of JD-origin Kuaishou merchants (store or link)"},
      {"active_native", Unit::count, "native merchants active"},
      {"active_origin_taobao", Unit::count, "Taobao-origin merchants active"},
      {"active_origin_jd", Unit::count, "JD-origin merchants active"},
      {"entries_native", Unit::count, "native merchants that joined"},
      {"entries_origin_taobao", Unit::count, "Taobao-origin merchants that joined"},
      {"entries_origin_jd", Unit::count, "JD-origin merchants that joined"},
      {"exits_native", Unit::count, "native merchants that exited"},
      {"exits_origin_taobao", Unit::count, "Taobao-origin merchants that exited"},
      {"exits_origin_jd", Unit::count, "JD-origin merchants that exited"},
  }};
  return cols;
}

const std::array<ColumnDef, monthly_count>& monthly_columns() {
  static const std::array<ColumnDef, monthly_count> cols{{
      {"gmv", Unit::fen, "GMV of the month"},
      {"gmv_store", Unit::fen, "store GMV"},
      {"gmv_taobao", Unit::fen, "Taobao link GMV"},
      {"gmv_jd", Unit::fen, "JD link GMV"},
      {"gmv_live", Unit::fen, "livestream GMV"},
      {"gmv_video", Unit::fen, "short-video GMV"},
      {"in_store_share", Unit::share, "store share of GMV"},
      {"gmv_growth", Unit::share, "GMV growth over the month before"},
      {"lost_gmv", Unit::fen, "stockout losses"},
      {"active_merchants", Unit::count, "active merchants at month end"},
      {"entries", Unit::count, "merchants that joined"},
      {"exits", Unit::count, "merchants that exited"},
      {"new_merchants", Unit::count, "merchants that joined this month (cohort size)"},
      {"new_merchant_retention", Unit::share,
       "share of this month's new merchants still active at the end of next month"},
      {"gmv_platform", Unit::fen,
       "GMV at platform scale (x reports.platform_scale / population.scale)"},
      {"gmv_search", Unit::fen, "GMV from intent sessions on search"},
      {"gmv_pool", Unit::fen, "GMV of union pool listings"},
      {"gmv_merchant_links", Unit::fen, "GMV of Kuaishou merchants' union links"},
      {"active_buyers", Unit::count, "buyers with at least one session in the month"},
      {"buyer_arrivals", Unit::count, "new buyers"},
      {"buyer_lapses", Unit::count, "buyers that lapsed"},
      {"buyer_returns", Unit::count, "lapsed buyers that came back"},
      {"intent_sessions", Unit::count, "intent sessions (on search)"},
      {"intent_met_share", Unit::share, "share of intent sessions that placed an order"},
      {"rich_categories", Unit::count, "categories with enough listings, mean over days"},
      {"streamers_present", Unit::count, "streamers on the platform at month end"},
      {"streamer_entries", Unit::count, "streamers that joined"},
      {"streamer_exits", Unit::count, "streamers that left"},
      {"streamer_income_median", Unit::fen,
       "median commission income of the month, streamers present all month"},
      {"streamer_income_top1", Unit::fen,
       "99th percentile of the month's commission income, streamers present all month"},
      {"subsidies", Unit::fen, "subsidies paid by external platforms"},
      {"gmv_native", Unit::fen, "GMV of native merchants"},
      {"gmv_origin_taobao", Unit::fen, "GMV of Taobao-origin merchants"},
      {"gmv_origin_jd", Unit::fen, "GMV of JD-origin merchants"},
      {"active_native", Unit::count, "native merchants active at month end"},
      {"active_origin_taobao", Unit::count, "Taobao-origin merchants active at month end"},
      {"active_origin_jd", Unit::count, "JD-origin merchants active at month end"},
      {"entries_native", Unit::count, "native merchants that joined"},
      {"entries_origin_taobao", Unit::count, "Taobao-origin merchants that joined"},
      {"entries_origin_jd", Unit::count, "JD-origin merchants that joined"},
      {"exits_native", Unit::count, "native merchants that exited"},
      {"exits_origin_taobao", Unit::count, "Taobao-origin merchants that exited"},
      {"exits_origin_jd", Unit::count, "JD-origin merchants that exited"},
  }};
  return cols;
}

const std::array<ColumnDef, quarterly_count>& quarterly_columns() {
  static const std::array<ColumnDef, quarterly_count> cols{{
      {"gmv", Unit::fen, "GMV of the quarter (simulated world)"},
      {"gmv_platform", Unit::fen,
       "GMV of the quarter at platform scale (x reports.platform_scale / population.scale)"},
      {"gmv_store", Unit::fen, "store GMV of the quarter"},
      {"in_store_share", Unit::share, "store share of the quarter's GMV"},
      {"gmv_growth_yoy", Unit::share, "GMV over the same quarter a year before, minus 1"},
      {"gmv_growth_qoq", Unit::share, "GMV over the quarter before, minus 1"},
      {"active_buyers", Unit::count, "buyers with a session in the quarter's last month"},
      {"entries", Unit::count, "merchants that joined in the quarter"},
      {"entries_native", Unit::count, "native merchants that joined in the quarter"},
      {"entries_origin_taobao", Unit::count, "Taobao-origin merchants that joined in the quarter"},
      {"entries_origin_jd", Unit::count, "JD-origin merchants that joined in the quarter"},
      {"whole", Unit::count, "1 if the horizon covers the whole quarter, else 0"},
  }};
  return cols;
}

const std::array<ColumnDef, metric_count>& metric_columns() {
  static const std::array<ColumnDef, metric_count> cols{{
      {"gmv", Unit::fen, "total GMV"},
      {"gmv_store", Unit::fen, "GMV through the store"},
      {"gmv_taobao", Unit::fen, "GMV through Taobao links"},
      {"gmv_jd", Unit::fen, "GMV through JD links"},
      {"gmv_live", Unit::fen, "GMV from livestreams"},
      {"gmv_video", Unit::fen, "GMV from short videos"},
      {"in_store_share", Unit::share, "store share of GMV"},
      {"lost_gmv", Unit::fen, "value of orders lost to stockouts"},
      {"gmv_growth_last_month", Unit::share, "last full month's GMV over the month before"},
      {"gmv_growth_last_quarter", Unit::share, "last full quarter's GMV over the quarter before"},
      {"gmv_growth_yoy", Unit::share, "last full month's GMV over the same month a year before"},
      {"orders", Unit::count, "orders filled"},
      {"average_order_value", Unit::fen, "GMV per order"},
      {"conversion", Unit::share, "orders placed per session"},
      {"mean_trust", Unit::share, "buyer trust, mean over buyers and days"},
      {"external_session_share", Unit::share, "share of sessions that saw an external link"},
      {"platform_revenue", Unit::fen, "store fees + CPS share + external-link fees"},
      {"platform_store_fees", Unit::fen, "platform fees on store sales"},
      {"platform_cps", Unit::fen, "platform share of union commissions (CPS)"},
      {"platform_link_fees", Unit::fen, "policy fees on external-link sales"},
      {"streamer_income_median", Unit::fen, "median streamer commission income"},
      {"streamer_income_top1", Unit::fen, "99th percentile of streamer commission income"},
      {"streamer_top1_share", Unit::share, "share of commission income earned by the top 1%"},
      {"merchants_start", Unit::count, "merchants active on day 0"},
      {"merchants_end", Unit::count, "merchants active on the last day"},
      {"entries", Unit::count, "merchants that joined"},
      {"exits", Unit::count, "merchants gone at the end (dormant ones included)"},
      {"returns", Unit::count, "dormant external merchants back when links reopened"},
      {"retention_30", Unit::share, "day-0 merchants still active after 30 days"},
      {"retention_90", Unit::share, "day-0 merchants still active after 90 days"},
      {"retention_180", Unit::share, "day-0 merchants still active after 180 days"},
      {"new_merchant_retention", Unit::share,
       "new merchants active at the end of the month after they joined"},
      {"cold_start_median_days", Unit::days,
       "median days from joining to the first day with cold_start.sales orders (Kaplan-Meier: "
       "merchants still in cold start when they exit or the horizon ends are censored)"},
      {"cold_start_reached", Unit::share, "share of new merchants that ended their cold start"},
      {"rich_categories", Unit::count, "categories with enough listings, mean over days"},
      {"gmv_platform", Unit::fen, "total GMV at platform scale"},
      {"gmv_search", Unit::fen, "GMV from intent sessions on search"},
      {"gmv_pool", Unit::fen, "GMV of union pool listings"},
      {"buyers_start", Unit::count, "active buyers on day 0"},
      {"buyers_end", Unit::count, "active buyers on the last day"},
      {"buyer_arrivals", Unit::count, "new buyers"},
      {"buyer_lapses", Unit::count, "buyer lapses"},
      {"buyer_returns", Unit::count, "lapsed buyers that came back"},
      {"intent_met_share", Unit::share, "share of intent sessions that placed an order"},
      {"streamers_start", Unit::count, "streamers present on day 0"},
      {"streamers_end", Unit::count, "streamers present on the last day"},
      {"streamer_entries", Unit::count, "streamers that joined"},
      {"streamer_exits", Unit::count, "streamers that left"},
      {"subsidies", Unit::fen, "subsidies paid by external platforms"},
      {"gmv_native", Unit::fen, "GMV of native merchants"},
      {"gmv_origin_taobao", Unit::fen, "GMV of Taobao-origin merchants"},
      {"gmv_origin_jd", Unit::fen, "GMV of JD-origin merchants"},
      {"retention_90_native", Unit::share, "day-0 native merchants still active after 90 days"},
      {"retention_90_taobao", Unit::share, "day-0 Taobao-origin merchants active after 90 days"},
      {"retention_90_jd", Unit::share, "day-0 JD-origin merchants active after 90 days"},
      {"entries_native", Unit::count, "native merchants that joined"},
      {"entries_origin_taobao", Unit::count, "Taobao-origin merchants that joined"},
      {"entries_origin_jd", Unit::count, "JD-origin merchants that joined"},
      {"exits_native", Unit::count, "native merchants gone at the end"},
      {"exits_origin_taobao", Unit::count, "Taobao-origin merchants gone at the end"},
      {"exits_origin_jd", Unit::count, "JD-origin merchants gone at the end"},
  }};
  return cols;
}

const std::vector<Metric>& headline_metrics() {
  static const std::vector<Metric> m{Metric::gmv,
                                     Metric::in_store_share,
                                     Metric::retention_90,
                                     Metric::new_merchant_retention,
                                     Metric::platform_revenue,
                                     Metric::lost_gmv};
  return m;
}

namespace {
const char* unit_name(Unit u) {
  switch (u) {
    case Unit::fen:
      return "fen";
    case Unit::count:
      return "count";
    case Unit::share:
      return "share";
    case Unit::days:
      return "days";
  }
  return "";
}
template <std::size_t N>
std::vector<ColumnInfo> info(const std::array<ColumnDef, N>& cols) {
  std::vector<ColumnInfo> out;
  for (const auto& c : cols) out.push_back({c.name, unit_name(c.unit), c.doc});
  return out;
}
}  // namespace

}  // namespace linksim::detail

namespace linksim {

const std::vector<ColumnInfo>& metric_info() {
  static const auto v = detail::info(detail::metric_columns());
  return v;
}
const std::vector<ColumnInfo>& quarterly_info() {
  static const auto v = detail::info(detail::quarterly_columns());
  return v;
}
const std::vector<ColumnInfo>& daily_info() {
  static const auto v = detail::info(detail::daily_columns());
  return v;
}
const std::vector<ColumnInfo>& monthly_info() {
  static const auto v = detail::info(detail::monthly_columns());
  return v;
}
const std::vector<int>& headline_indices() {
  static const std::vector<int> v = [] {
    std::vector<int> out;
    for (auto m : detail::headline_metrics()) out.push_back(static_cast<int>(m));
    return out;
  }();
  return v;
}

Interval summarize(const std::vector<double>& values, const ColumnInfo& column) {
  Interval iv = summarize(values);
  double lo = 0, hi = INFINITY;
  if (column.name.find("growth") != std::string::npos) {
    lo = -INFINITY;
  } else if (column.unit == "share") {
    hi = 1;
  }
  if (!std::isnan(iv.lo)) iv.lo = std::clamp(iv.lo, lo, hi);
  if (!std::isnan(iv.hi)) iv.hi = std::clamp(iv.hi, lo, hi);
  return iv;
}

Interval summarize(const std::vector<double>& values) {
  Interval r;
  double sum = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++r.n;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (r.n == 0) return Interval{nan, nan, nan, nan, 0};
  r.mean = sum / r.n;
  if (r.n < 2) {
    r.sd = r.lo = r.hi = nan;
    return r;
  }
  double ss = 0;
  for (double v : values) {
    if (!std::isnan(v)) ss += (v - r.mean) * (v - r.mean);
  }
  r.sd = std::sqrt(ss / (r.n - 1));
  const boost::math::students_t t(r.n - 1);
  const double half = boost::math::quantile(boost::math::complement(t, 0.025)) * r.sd /
                      std::sqrt(static_cast<double>(r.n));
  r.lo = r.mean - half;
  r.hi = r.mean + half;
  return r;
}

}  // namespace linksim
