// Entry and onboarding: arrival rates per origin, damping and stores for
// external entrants while their links are closed, the onboarding decision.
// Cart selection: the distribution pool's quality bar.
#include <gtest/gtest.h>

#include <cmath>

#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

using detail::MerchantState;

struct Arrivals {
  double native = 0, external = 0, external_with_store = 0;
};

Arrivals arrivals(const std::string& policy) {
  const Scenario s = test::small_world(
      "merchants: { origin_mix: { native: 0.5, taobao: 0.5, jd: 0 },\n"
      "  entry: { native_per_day: 5, external_per_day: 2, closed_entry_factor: 0.3,\n"
      "           attractiveness_exponent: 0 } }\n" +
          policy,
      {"calendar.days=200", "calendar.warmup_days=0"});
  Simulation sim(s, detail::replication_seed(s.seed, 0), 2);
  sim.run_to_end();
  Arrivals a;
  for (const auto& m : sim.world().merchants) {
    if (m.initial) continue;
    (m.origin == Origin::native ? a.native : a.external) += 1;
    a.external_with_store += m.origin != Origin::native && m.store_listing >= 0;
  }
  return a;
}

void expect_poisson_total(double count, double rate_per_day, int days) {
  const double mean = rate_per_day * days;
  EXPECT_NEAR(count, mean, 5 * std::sqrt(mean)) << "rate " << rate_per_day;
}

TEST(Entry, RatesPerOriginAndClosedDamping) {
  const Arrivals open = arrivals("");
  expect_poisson_total(open.native, 5, 200);
  expect_poisson_total(open.external, 2, 200);
  EXPECT_EQ(open.external_with_store, 0);
  const Arrivals closed =
      arrivals("policy: [{ from: 2020-01-01, taobao: { live: false, video: false } }]\n");
  expect_poisson_total(closed.native, 5, 200);
  expect_poisson_total(closed.external, 2 * 0.3, 200);
  EXPECT_EQ(closed.external_with_store, closed.external);  // they come with a store
}

TEST(Entry, OnboardingWhenLinksClose) {
  const Scenario s = test::small_world(
      "merchants: { origin_mix: { native: 0.5, taobao: 0.5, jd: 0 },\n"
      "  onboarding: { probability: 1, cost: 1000, delay_days: 5 } }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true } }\n"
      "  - { from: 2022-01-11, taobao: { live: false, video: false } }\n");
  const int closure = 10;
  Simulation sim(s, detail::replication_seed(s.seed, 0), 1);
  while (sim.day() <= closure) sim.step();
  int onboarded = 0;
  for (const auto& m : sim.world().merchants) {
    if (m.origin != Origin::taobao || m.state != MerchantState::active) continue;
    EXPECT_GE(m.store_listing, 0);
    if (m.join_day < closure) {
      EXPECT_EQ(m.store_ready_day, closure + 5);
      EXPECT_EQ(m.month_costs, 100000);                         // 1,000 RMB, booked this month
      EXPECT_EQ(sim.world().hot[m.store_listing].surfaces, 0);  // not live yet
      ++onboarded;
    }
  }
  EXPECT_GT(onboarded, 10);
  while (sim.day() <= closure + 5) sim.step();
  for (const auto& m : sim.world().merchants) {
    if (m.origin == Origin::taobao && m.state == MerchantState::active && m.join_day < closure) {
      EXPECT_EQ(sim.world().hot[m.store_listing].surfaces, 7);  // live, video and search
    }
  }
}

TEST(Carts, PoolQualityBarAppliesToStoreListingsOnly) {
  const Scenario s = test::small_world(
      "platform: { pool_quality_threshold: 0.6 }\n"
      "merchants: { origin_mix: { native: 0.5, taobao: 0.5, jd: 0 } }\n");
  Simulation sim(s, detail::replication_seed(s.seed, 0), 1);
  for (int d = 0; d < 10; ++d) sim.step();
  const auto& w = sim.world();
  int low_union = 0, store = 0;
  for (std::size_t st = 0; st < w.streamers.size(); ++st) {
    for (int i = 0; i < w.cart_len[st]; ++i) {
      const int l = w.carts[st * w.cart_size + i];
      const auto& m = w.merchants[w.listings[l].merchant];
      if (w.hot[l].channel == Channel::store) {
        EXPECT_GE(m.quality, 0.6);
        ++store;
      } else {
        low_union += m.quality < 0.6;
      }
    }
  }
  EXPECT_GT(store, 0);
  EXPECT_GT(low_union, 0);  // union links need no pool
}

}  // namespace
}  // namespace linksim
