// Special cases with closed forms. In the homogeneous world (support.hpp) a
// day's expected orders are buyers x λ x M_t x browse_depth x c0 x D_t x F,
// with F = 1 for store listings and E[F] = (1 - jump_loss)(a + (1 - a) n) for
// union links (a: app share, n: no_app_factor). The replications' mean must
// contain the expectation in its interval.
//
// The suite checks about twenty such intervals; at 95% each, one of them would
// miss by chance more often than not. The checks use 99.9% Student-t
// intervals (a family-wise false alarm of about 2%) and also require each
// interval to be narrow (under 10% of the value, against effects of 50-100%),
// so a real bias still fails.
#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

TEST(ClosedForm, StoreOrdersPerDay) {
  const Scenario s = test::scenario_from(test::homogeneous_yaml());
  const RunResult r = run(s, test::threads(2));
  const double sessions = 20000 * 0.5;
  test::expect_within(test::daily_mean(r, "sessions", 0, 29), sessions, "sessions/day");
  test::expect_within(test::daily_mean(r, "orders_placed", 0, 29), sessions * 4 * 0.05,
                      "orders/day");
  // Unlimited stock and no penalties: every order filled, trust stays 1.
  test::expect_within(test::daily_mean(r, "orders", 0, 29), sessions * 4 * 0.05, "filled/day");
  EXPECT_EQ(r.replications.size(), 8u);
}

TEST(ClosedForm, ExternalLinksOrdersPerDay) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"merchants.origin_mix={native: 0, taobao: 1, jd: 0}", "buyers.app_share.taobao=0.7"});
  const RunResult r = run(s, test::threads(2));
  const double factor = (1 - 0.4) * (0.7 + 0.3 * 0.3);
  test::expect_within(test::daily_mean(r, "orders_placed", 0, 29), 20000 * 0.5 * 4 * 0.05 * factor,
                      "taobao orders/day");
  // Every session sees only external links.
  test::expect_within(test::daily_mean(r, "sessions_external", 0, 29), 20000 * 0.5,
                      "external sessions");
}

TEST(ClosedForm, JdLinksWithFewerApps) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"merchants.origin_mix={native: 0, taobao: 0, jd: 1}", "buyers.app_share.jd=0.25",
       "conversion.jump_loss=0.2", "conversion.no_app_factor=0.5"});
  const RunResult r = run(s, test::threads(2));
  const double factor = (1 - 0.2) * (0.25 + 0.75 * 0.5);
  test::expect_within(test::daily_mean(r, "orders_placed", 0, 29), 20000 * 0.5 * 4 * 0.05 * factor,
                      "jd orders/day");
}

// Sessions come from each buyer's Poisson process on the traffic clock: a
// day's total is Poisson with mean buyers x λ x traffic, independent from day
// to day, so its variance over days equals its mean (a process that carried
// sessions over between days, or lost them, would not).
TEST(ClosedForm, DailySessionsArePoisson) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml() +
          "events:\n"
          "  - { type: promotion, from: 2022-01-11, to: 2022-01-20, traffic: 3.0 }\n"
          "  - { type: promotion, from: 2022-01-21, to: 2022-01-25, traffic: 0.2 }\n",
      {"replications=16"});
  const RunResult r = run(s, test::threads(2));
  const int c = test::daily_column("sessions");
  const auto dispersion = [&](int first, int last, double mean) {
    double ss = 0;
    int n = 0;
    for (const auto& rep : r.replications) {
      for (int d = first; d <= last; ++d, ++n) {
        const double x = rep.daily(d, c);
        ss += (x - mean) * (x - mean);
      }
    }
    return ss / n / mean;  // 1 for Poisson; its sd is sqrt(2 / n) for n >= 100
  };
  // 160 days each: the ratio's sd is 0.11, and 0.6-1.45 is four of them.
  const double quiet = dispersion(0, 9, 20000 * 0.5);
  const double busy = dispersion(10, 19, 20000 * 0.5 * 3.0);
  EXPECT_GT(quiet, 0.6);
  EXPECT_LT(quiet, 1.45);
  EXPECT_GT(busy, 0.6);
  EXPECT_LT(busy, 1.45);
  test::expect_within(test::daily_mean(r, "sessions", 0, 9), 20000 * 0.5, "sessions/day");
  test::expect_within(test::daily_mean(r, "sessions", 10, 19), 3 * 20000 * 0.5, "promotion");
  test::expect_within(test::daily_mean(r, "sessions", 20, 24), 0.2 * 20000 * 0.5, "quiet days");
  test::expect_within(test::daily_mean(r, "sessions", 25, 29), 20000 * 0.5, "after");
}

TEST(ClosedForm, PromotionAndDemandShockMultiply) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml() +
      "events:\n"
      "  - { type: promotion, from: 2022-01-06, to: 2022-01-12, traffic: 2.0 }\n"
      "  - { type: demand_shock, from: 2022-01-13, to: 2022-01-26, demand: 0.5 }\n"
      "  - { type: promotion, from: 2022-01-20, to: 2022-01-26, traffic: 1.5 }\n");
  const RunResult r = run(s, test::threads(2));
  const double base = 20000 * 0.5 * 4 * 0.05;
  test::expect_within(test::daily_mean(r, "orders_placed", 0, 4), base, "before");
  test::expect_within(test::daily_mean(r, "orders_placed", 5, 11), 2.0 * base, "promotion");
  test::expect_within(test::daily_mean(r, "sessions", 5, 11), 2.0 * 10000, "promotion sessions");
  test::expect_within(test::daily_mean(r, "orders_placed", 12, 18), 0.5 * base, "shock");
  test::expect_within(test::daily_mean(r, "orders_placed", 19, 25), 0.5 * 1.5 * base, "both");
  test::expect_within(test::daily_mean(r, "orders_placed", 26, 29), base, "after");
}

// E[(price/ref)^-ε] = E[exp(-ε L)] for L = log(price/ref) and ε = max(0, N(μ, σ²)):
// P(ε = 0) plus the normal's moment generating function over ε > 0.
double expected_price_factor(double log_ratio, double mu, double sigma) {
  const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  return phi(-mu / sigma) +
         std::exp(-mu * log_ratio + 0.5 * sigma * sigma * log_ratio * log_ratio) *
             phi((mu - sigma * sigma * log_ratio) / sigma);
}

// Prices spread around the reference and elastic buyers of spread elasticity:
// with 8 listings, carts of 8 and a browse depth of 8, every session browses
// every listing, so a day's expected orders are its sessions x c0 x the sum
// over listings of E[(price/ref)^-ε]. The cheap listings' factors reach
// exp(ε |L|) > 1, which the demand loop bounds with the largest ε of the
// buyers before computing them (ListingHot::bound).
TEST(ClosedForm, OrdersFollowThePriceFactorOfEachListing) {
  const Scenario s =
      test::scenario_from(test::homogeneous_yaml(),
                          {"population.merchants=8", "categories.0.price_sigma=0.6",
                           "buyers.browse_depth=8", "buyers.max_orders_per_session=8",
                           "buyers.price_elasticity=1.2", "buyers.price_elasticity_spread=0.4"});
  const double mu = s.buyers.price_elasticity, sigma = s.buyers.price_elasticity_spread;
  const double c0 = s.conversion.base;
  double orders = 0, expected = 0, expected_flat = 0;
  for (int r = 0; r < 4; ++r) {
    Simulation sim(s, detail::replication_seed(s.seed, r), 2);
    const detail::World& w = sim.world();
    for (int d = 0; d < 30; ++d) {
      sim.step();
      ASSERT_EQ(w.listings.size(), 8u);
      double factors = 0;
      for (std::size_t l = 0; l < w.listings.size(); ++l) {
        ASSERT_EQ(w.hot[l].surfaces, 7) << "listing " << l << " is not shown on every surface";
        factors += expected_price_factor(w.hot[l].log_ratio, mu, sigma);
      }
      const double sessions = w.recorder.at(w.today.day, detail::Daily::sessions);
      orders += static_cast<double>(w.orders.size());
      expected += sessions * c0 * factors;
      expected_flat += sessions * c0 * 8;
    }
  }
  // A sum of Bernoulli draws: its variance is below its mean.
  const double sd = std::sqrt(expected);
  EXPECT_NEAR(orders, expected, 5 * sd);
  // The check has power: the prices move the expectation far beyond the noise.
  EXPECT_GT(std::fabs(expected - expected_flat), 20 * sd);
}

}  // namespace
}  // namespace linksim
