// Model v2: streamers' income. At each month end, a streamer's commission
// income of the month sets its live rate for the next (live_rate x
// min(max_live_factor, (income / reservation_income)^elasticity)), and one
// below the reservation income for patience_months months in a row leaves for
// another platform (its followers' follows of it lapse). Each day new
// streamers arrive at a rate that follows income per streamer.
#include <algorithm>
#include <cmath>
#include <vector>

#include "day/phases.hpp"
#include "metrics/stats.hpp"
#include "world/build.hpp"

namespace linksim::detail {

namespace {

// Commission income per present streamer over the last 30 days against the
// first 30 simulated days (1 during those).
double streamer_attractiveness(World& w) {
  const int day = w.today.day;
  const int first = -w.warmup;
  if (day - first < 29) return 1.0;
  double income = 0;
  for (int d = day - 29; d <= day; ++d) income += w.recorder.at(d, Daily::streamer_commission);
  const double per = income / std::max(1, streamers_present(w));
  if (day - first == 29) w.streamer_attract_reference = per;
  return w.streamer_attract_reference > 0 ? per / w.streamer_attract_reference : 1.0;
}

}  // namespace

void enter_streamers(const Scenario& s, World& w) {
  const auto& e = s.streamers.entry;
  const int day = w.today.day;
  if (e.per_day > 0) {
    const double attract =
        e.attractiveness_exponent > 0
            ? std::pow(std::min(streamer_attractiveness(w), e.max_attractiveness),
                       e.attractiveness_exponent)
            : 1.0;
    Stream rng(w.seed, Kind::streamer, 0, day, Purpose::arrival);
    const std::int64_t n = rng.poisson(s.scaled_rate(e.per_day) * attract);
    for (std::int64_t i = 0; i < n; ++i) add_streamer(s, w, day);
    w.recorder.at(day, Daily::streamer_entries) = static_cast<double>(n);
  }
}

int streamers_present(const World& w) {
  int n = 0;
  for (const Streamer& st : w.streamers) n += !st.gone;
  return n;
}

void close_streamer_month(const Scenario& s, World& w) {
  // Only a whole month is judged (the horizon's last day may end one early).
  if (!last_day_of_month(w.today.date)) return;
  const auto& p = s.streamers;
  const int day = w.today.day;
  const double reservation = p.reservation_income * 100.0;  // fen
  std::vector<double> income;
  int exits = 0;
  for (std::size_t i = 0; i < w.streamers.size(); ++i) {
    Streamer& st = w.streamers[i];
    if (st.gone) continue;
    const auto earned = static_cast<double>(st.month_income);
    st.month_income = 0;
    // A streamer that joined during the month is judged (and counted in the
    // month's income figures) from its first whole one.
    if (st.join_day > day + 1 - days_in_month(w.today.date)) continue;
    income.push_back(earned);
    if (p.income_elasticity > 0) {
      st.live_factor =
          std::min(p.max_live_factor, std::pow(earned / reservation, p.income_elasticity));
    }
    if (reservation > 0) {
      st.poor_months = earned < reservation ? st.poor_months + 1 : 0;
      if (st.poor_months >= p.patience_months) {
        st.gone = true;
        w.present[i] = 0;
        w.any_gone = true;
        w.cart_len[i] = 0;
        ++exits;
      }
    }
  }
  auto& rec = w.recorder;
  rec.at(day, Daily::streamer_exits) = exits;
  if (!income.empty()) {
    rec.streamer_income_median[w.today.month] = percentile(income, 0.5);
    rec.streamer_income_top1[w.today.month] = percentile(income, 0.99);
  }
}

}  // namespace linksim::detail
