// The day's row of the daily series: the state at the end of the day
// (merchants, listings, categories, streamers, buyers) beside the flows the
// phases recorded.
#include <cmath>

#include "day/phases.hpp"

namespace linksim::detail {

void record_day(const Scenario& s, World& w) {
  const int day = w.today.day;
  auto& rec = w.recorder;
  // Active merchants by origin, and in all (World::active_merchants' count).
  int by_origin[origin_count] = {0, 0, 0};
  for (const Merchant& m : w.merchants) {
    if (m.state == MerchantState::active && !m.pool) ++by_origin[static_cast<int>(m.origin)];
  }
  rec.at(day, Daily::active_merchants) = by_origin[0] + by_origin[1] + by_origin[2];
  rec.at(day, Daily::listed_merchants) = w.listed_today;
  int rich = 0;
  for (int n : w.visible_per_category) rich += n >= s.reports.richness_min_listings;
  rec.at(day, Daily::rich_categories) = rich;
  rec.at(day, Daily::live_streamers) = static_cast<double>(w.live_ids.size());
  const double gmv =
      rec.at(day, Daily::gmv_store) + rec.at(day, Daily::gmv_taobao) + rec.at(day, Daily::gmv_jd);
  rec.at(day, Daily::in_store_share) = gmv > 0 ? rec.at(day, Daily::gmv_store) / gmv : std::nan("");
  // Model v2's state of the day.
  rec.at(day, Daily::active_buyers) = static_cast<double>(w.buyers.active);
  rec.at(day, Daily::streamers_present) = streamers_present(w);
  rec.at(day, Daily::active_native) = by_origin[0];
  rec.at(day, Daily::active_origin_taobao) = by_origin[1];
  rec.at(day, Daily::active_origin_jd) = by_origin[2];
}

}  // namespace linksim::detail
