// Step 7 of the day: new merchants arrive, Poisson per origin, at a rate that
// follows how attractive the platform has become (GMV per active merchant over
// the last 30 days against the first 30), external origins damped while their
// links are closed in live carts (they would have to open a store first).
#include <cmath>
#include <numeric>

#include "day/phases.hpp"
#include "world/build.hpp"

namespace linksim::detail {

namespace {

double attractiveness(const Scenario& s, World& w) {
  const int day = w.today.sim_day;
  if (day < 29) return 1.0;
  const double gmv30 =
      static_cast<double>(std::accumulate(w.gmv_ring.begin(), w.gmv_ring.end(), Fen{0}));
  const double per_merchant = gmv30 / std::max(1, w.active_merchants());
  if (day == 29) w.attract_reference = per_merchant;
  if (!(w.attract_reference > 0)) return 1.0;
  return std::pow(per_merchant / w.attract_reference, s.merchants.entry.attractiveness_exponent);
}

}  // namespace

void enter_merchants(const Scenario& s, World& w) {
  const auto& e = s.merchants.entry;
  const int day = w.today.day;
  const double attract = attractiveness(s, w);
  Stream rng(w.seed, Kind::world, 0, day, Purpose::entry);
  const auto& mix = s.merchants.origin_mix;
  const double ext_total = mix.taobao + mix.jd;
  int entered = 0;
  for (Origin o : {Origin::native, Origin::taobao, Origin::jd}) {
    double rate = attract;
    bool closed = false;
    if (o == Origin::native) {
      rate *= e.native_per_day;
    } else {
      rate *= ext_total > 0 ? e.external_per_day * mix[o] / ext_total : 0.0;
      closed = !(w.today.surfaces[static_cast<int>(o)] & 1);
      if (closed) rate *= e.closed_entry_factor;
    }
    const std::int64_t n = rng.poisson(rate);
    for (std::int64_t i = 0; i < n; ++i) {
      const int m = add_merchant(s, w, o, day, rng, false);
      if (closed) open_store(s, w, m, day);
      ++w.recorder.joined[w.today.month];
      ++entered;
    }
  }
  w.recorder.at(day, Daily::entries) = entered;
}

}  // namespace linksim::detail
