// Step 4 of the day: filled orders are delivered on time or late (a late one
// costs the buyer's trust), merchants' cold start ends on their first day of
// cold_start.sales orders, and streamers' reputation follows how their
// orders were served.
#include "day/phases.hpp"

namespace linksim::detail {

void fulfil_orders(const Scenario& s, World& w) {
  const int day = w.today.day;
  const std::uint64_t base = stream_base(w.seed, Kind::order, day, Purpose::delivery);
  const float penalty = static_cast<float>(s.buyers.trust.late_penalty);
  for (const Order& o : w.orders) {
    if (!o.filled) continue;
    const Listing& l = w.listings[o.listing];
    Merchant& m = w.merchants[l.merchant];
    const int ci = static_cast<int>(w.hot[o.listing].channel);
    Stream rng(base, o.key);
    const bool on_time = rng.uniform() < m.on_time * w.today.logistics[ci];
    if (o.streamer != no_streamer) {
      Streamer& st = w.streamers[o.streamer];
      ++st.day_orders;
      st.day_ok += on_time;
    }
    if (!on_time) {
      penalise(w.buyers, o.buyer, penalty);
      w.recorder.at(day, Daily::late) += 1;
    }
  }
  // Cold start ends on the first day a merchant sells cold_start.sales units.
  for (const Order& o : w.orders) {
    Merchant& m = w.merchants[w.listings[o.listing].merchant];
    if (m.cold_start_day != never) continue;
    int sold = 0;
    for (int l : {m.store_listing, m.union_listing}) {
      if (l >= 0) sold += w.listings[l].orders_today;
    }
    if (sold >= s.merchants.cold_start.sales) m.cold_start_day = day;
  }
  // Streamers' reputation: an exponential average of their orders served well.
  const double alpha = 1.0 / s.streamers.reputation_memory_days;
  for (Streamer& st : w.streamers) {
    if (st.day_orders > 0) {
      const double ok = static_cast<double>(st.day_ok) / st.day_orders;
      st.reputation += alpha * (ok - st.reputation);
    }
    st.day_orders = st.day_ok = 0;
  }
  for (const Order& o : w.orders) w.listings[o.listing].orders_today = 0;
}

}  // namespace linksim::detail
