// What a run records. Every column of every output is defined here, once:
// the daily series, the monthly table and the per-replication scalars. Money
// is in fen (1/100 RMB).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace linksim::detail {

enum class Unit : std::uint8_t { fen, count, share, days };

struct ColumnDef {
  const char* name;
  Unit unit;
  const char* doc;
};

// Daily series, one row per simulated day.
enum class Daily : int {
  gmv_store,
  gmv_taobao,
  gmv_jd,
  gmv_live,
  gmv_video,
  lost_gmv,
  orders,
  orders_placed,
  stockouts,
  late,
  sessions,
  sessions_live,
  sessions_video,
  sessions_external,
  mean_trust,
  active_merchants,
  listed_merchants,
  entries,
  exits,
  platform_revenue,
  streamer_commission,
  rich_categories,
  live_streamers,
  returns,
  in_store_share,
  // Model v2 (zero when its mechanisms are off).
  gmv_search,
  gmv_pool,
  sessions_search,
  intent_met,
  active_buyers,
  buyer_arrivals,
  buyer_lapses,
  buyer_returns,
  streamers_present,
  streamer_entries,
  streamer_exits,
  subsidies,
  gmv_native,
  gmv_origin_taobao,
  gmv_origin_jd,
  active_native,
  active_origin_taobao,
  active_origin_jd,
  entries_native,
  entries_origin_taobao,
  entries_origin_jd,
  exits_native,
  exits_origin_taobao,
  exits_origin_jd,
  count_
};
inline constexpr int daily_count = static_cast<int>(Daily::count_);
const std::array<ColumnDef, daily_count>& daily_columns();

// Monthly table, one row per calendar month of the horizon.
enum class Monthly : int {
  gmv,
  gmv_store,
  gmv_taobao,
  gmv_jd,
  gmv_live,
  gmv_video,
  in_store_share,
  gmv_growth,
  lost_gmv,
  active_merchants,
  entries,
  exits,
  new_merchants,
  new_merchant_retention,
  // Model v2.
  gmv_platform,
  gmv_search,
  gmv_pool,
  gmv_merchant_links,
  active_buyers,
  buyer_arrivals,
  buyer_lapses,
  buyer_returns,
  intent_sessions,
  intent_met_share,
  rich_categories,
  streamers_present,
  streamer_entries,
  streamer_exits,
  streamer_income_median,
  streamer_income_top1,
  subsidies,
  gmv_native,
  gmv_origin_taobao,
  gmv_origin_jd,
  active_native,
  active_origin_taobao,
  active_origin_jd,
  entries_native,
  entries_origin_taobao,
  entries_origin_jd,
  exits_native,
  exits_origin_taobao,
  exits_origin_jd,
  count_
};
inline constexpr int monthly_count = static_cast<int>(Monthly::count_);
const std::array<ColumnDef, monthly_count>& monthly_columns();

// Quarterly table (model v2), one row per calendar quarter the horizon
// touches; growth only between whole quarters.
enum class Quarterly : int {
  gmv,
  gmv_platform,
  gmv_store,
  in_store_share,
  gmv_growth_yoy,
  gmv_growth_qoq,
  active_buyers,
  entries,
  entries_native,
  entries_origin_taobao,
  entries_origin_jd,
  whole,
  count_
};
inline constexpr int quarterly_count = static_cast<int>(Quarterly::count_);
const std::array<ColumnDef, quarterly_count>& quarterly_columns();

// One number per replication; the headline ones are printed by `run`.
enum class Metric : int {
  gmv,
  gmv_store,
  gmv_taobao,
  gmv_jd,
  gmv_live,
  gmv_video,
  in_store_share,
  lost_gmv,
  gmv_growth_last_month,
  gmv_growth_last_quarter,
  gmv_growth_yoy,
  orders,
  average_order_value,
  conversion,
  mean_trust,
  external_session_share,
  platform_revenue,
  platform_store_fees,
  platform_cps,
  platform_link_fees,
  streamer_income_median,
  streamer_income_top1,
  streamer_top1_share,
  merchants_start,
  merchants_end,
  entries,
  exits,
  returns,
  retention_30,
  retention_90,
  retention_180,
  new_merchant_retention,
  cold_start_median_days,
  cold_start_reached,
  rich_categories,
  // Model v2.
  gmv_platform,
  gmv_search,
  gmv_pool,
  buyers_start,
  buyers_end,
  buyer_arrivals,
  buyer_lapses,
  buyer_returns,
  intent_met_share,
  streamers_start,
  streamers_end,
  streamer_entries,
  streamer_exits,
  subsidies,
  gmv_native,
  gmv_origin_taobao,
  gmv_origin_jd,
  retention_90_native,
  retention_90_taobao,
  retention_90_jd,
  entries_native,
  entries_origin_taobao,
  entries_origin_jd,
  exits_native,
  exits_origin_taobao,
  exits_origin_jd,
  count_
};
inline constexpr int metric_count = static_cast<int>(Metric::count_);
const std::array<ColumnDef, metric_count>& metric_columns();

// The headline metrics, in the order the tables show them.
const std::vector<Metric>& headline_metrics();

struct Recorder {
  int days = 0;               // rows: warm-up and horizon
  int offset = 0;             // row of day 0 (the warm-up length)
  std::vector<double> daily;  // days x daily_count
  double& at(int day, Daily c) { return daily[(day + offset) * daily_count + static_cast<int>(c)]; }
  double at(int day, Daily c) const {
    return daily[(day + offset) * daily_count + static_cast<int>(c)];
  }
  // Cohorts by join month (initial merchants excluded).
  std::vector<std::int64_t> joined;
  std::vector<std::int64_t> retained_next_month;
  // Model v2, by month: buyers with a session, the median streamer's income,
  // and intent sessions and those met by category (month x K).
  std::vector<std::int64_t> buyers_seen;
  std::vector<double> streamer_income_median, streamer_income_top1;
  int categories = 0;
  std::vector<std::int64_t> intent_by_category, met_by_category;
  void resize(int n_days, int n_offset, int n_months, int n_categories = 0) {
    days = n_days;
    offset = n_offset;
    daily.assign(static_cast<std::size_t>(n_days) * daily_count, 0.0);
    joined.assign(n_months, 0);
    retained_next_month.assign(n_months, -1);
    buyers_seen.assign(n_months, 0);
    streamer_income_median.assign(n_months, 0.0);
    streamer_income_top1.assign(n_months, 0.0);
    categories = n_categories;
    intent_by_category.assign(static_cast<std::size_t>(n_months) * n_categories, 0);
    met_by_category.assign(static_cast<std::size_t>(n_months) * n_categories, 0);
  }
};

}  // namespace linksim::detail
