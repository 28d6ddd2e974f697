// Step 8, on the last day of each month: merchants book their fixed cost (for
// the days they were listed), unprofitable or idle ones exit once their
// patience runs out, an exogenous hazard applies to all, stock plans adapt to
// last month's sales, and cohort retention is recorded.
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"
#include "ensemble.hpp"
#include "world/build.hpp"

namespace linksim::detail {

namespace {

// Each listing's planned daily sales move toward the orders it received per
// day shown last month (stockouts included: the merchant sees lost orders).
void plan_stock(const Scenario& s, World& w, const Merchant& m) {
  const auto& st = s.merchants.stock;
  const double cover = stock_cover_days(s, m.origin);
  for (int id : {m.store_listing, m.union_listing}) {
    if (id < 0) continue;
    Listing& l = w.listings[id];
    if (l.month_days > 0) {
      const double wanted = static_cast<double>(l.month_demand) / l.month_days;
      l.planned_daily =
          std::max(0.2 * st.daily_units, l.planned_daily + st.adapt * (wanted - l.planned_daily));
      l.cap = l.planned_daily * cover;
    }
    l.month_demand = 0;
    l.month_days = 0;
  }
}

}  // namespace

void close_month(const Scenario& s, World& w) {
  const int day = w.today.day;
  const int month = w.today.month;
  const int month_days = days_in_month(w.today.date);
  const double fixed = s.merchants.fixed_cost_monthly * 100.0;
  const std::uint64_t base = stream_base(w.seed, Kind::merchant, day, Purpose::month_end);
  int exits = 0;
  int exits_by_origin[origin_count] = {0, 0, 0};
  for (std::size_t i = 0; i < w.merchants.size(); ++i) {
    Merchant& m = w.merchants[i];
    if (m.state != MerchantState::active || m.pool) continue;
    const Fen booked = std::llround(fixed * m.listed_days / month_days);
    m.fixed_costs += booked;
    const Fen profit = m.month_net - booked - m.month_costs;
    if (m.idle_all_month) {
      ++m.idle_months;
    } else {
      m.idle_months = 0;
      m.loss_months = profit < 0 ? m.loss_months + 1 : 0;
    }
    Stream rng(base, i);
    const bool hazard = rng.bernoulli(s.merchants.exit_hazard_monthly);
    const bool losing = m.loss_months >= s.merchants.patience_months;
    const bool idle = m.idle_months >= s.merchants.idle_exit_months;
    if (losing || idle || hazard) {
      m.state = MerchantState::exited;
      m.exit_day = day;
      m.absent.emplace_back(day, never);
      m.dormant = idle && !losing && !hazard && m.origin != Origin::native;
      ++exits;
      ++exits_by_origin[static_cast<int>(m.origin)];
    } else {
      plan_stock(s, w, m);
    }
    m.month_net = m.month_costs = 0;
    m.listed_days = 0;
    m.idle_all_month = true;
  }
  auto& rec = w.recorder;
  rec.at(day, Daily::exits) += exits;
  rec.at(day, Daily::exits_native) += exits_by_origin[0];
  rec.at(day, Daily::exits_origin_taobao) += exits_by_origin[1];
  rec.at(day, Daily::exits_origin_jd) += exits_by_origin[2];
  // Buyers with a session this month (v2's monthly active buyers), every rank's.
  {
    const auto tag = static_cast<std::uint16_t>(month + 1);
    std::vector<std::uint32_t> seen{0};
    for (const std::uint16_t m : w.buyers.seen_month) seen[0] += m == tag;
    if (w.split != nullptr) w.split->sum(seen);
    rec.buyers_seen[month] = seen[0];
  }
  // Next-month retention needs the whole of the next month.
  const bool whole_month = last_day_of_month(w.today.date);
  if (month >= 1 && whole_month) {
    std::int64_t kept = 0;
    for (const Merchant& m : w.merchants) {
      kept += !m.initial && !m.pool && w.month_of_day[m.join_day + w.warmup] == month - 1 &&
              m.state == MerchantState::active;
    }
    rec.retained_next_month[month - 1] = kept;
  }
}

}  // namespace linksim::detail
