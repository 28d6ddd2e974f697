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
  const int reference_day = w.warmup >= 30 ? w.warmup - 1 : 29;
  if (day < reference_day) return 1.0;
  const double gmv30 =
      static_cast<double>(std::accumulate(w.gmv_ring.begin(), w.gmv_ring.end(), Fen{0}));
  const double per_merchant = gmv30 / std::max(1, w.active_merchants());
  if (day == reference_day) w.attract_reference = per_merchant;
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
  int by_origin[origin_count] = {0, 0, 0};
  auto join = [&](Origin o, bool store, float eligible_draw) {
    const int m = add_merchant(s, w, o, day, rng, false);
    w.merchants[m].eligible_draw = eligible_draw;
    if (store) open_store(s, w, m, day);
    ++w.recorder.joined[w.today.month];
    ++entered;
    ++by_origin[static_cast<int>(o)];
  };
  for (std::int64_t i = rng.poisson(attract * s.scaled_rate(e.native_per_day)); i > 0; --i) {
    join(Origin::native, false, 0.0f);
  }
  for (Origin o : {Origin::taobao, Origin::jd}) {
    const int c = static_cast<int>(o);
    const double rate =
        ext_total > 0 ? attract * s.scaled_rate(e.external_per_day) * mix[o] / ext_total : 0.0;
    for (std::int64_t i = rng.poisson(rate); i > 0; --i) {
      const auto draw = static_cast<float>(rng.uniform());
      const bool open = (w.today.surfaces[c] & 1) && draw < w.today.eligible[c];
      if (open) {
        join(o, false, draw);
      } else if (rng.bernoulli(e.closed_entry_factor)) {
        join(o, true, draw);
      }
    }
  }
  w.recorder.at(day, Daily::entries) = entered;
  w.recorder.at(day, Daily::entries_native) = by_origin[0];
  w.recorder.at(day, Daily::entries_origin_taobao) = by_origin[1];
  w.recorder.at(day, Daily::entries_origin_jd) = by_origin[2];
}

}  // namespace linksim::detail
