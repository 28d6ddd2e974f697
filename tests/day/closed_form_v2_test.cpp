// Model v2's special cases with closed forms (model-v2.md and docs/model.md),
// in the homogeneous world of support.hpp with one mechanism switched on at a
// time. As in closed_form_test.cpp, each check uses a 99.9% Student-t
// interval over the replications that must contain the expectation and be
// narrower than 10% of it.
#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "linksim/simulation.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

Interval daily_at(const RunResult& r, const std::string& column, int day) {
  return test::daily_mean(r, column, day, day);
}

// Arrivals a a day and a daily lapse hazard h (a buyer lapses on a day with
// probability 1 - e^-h), no returns, no growth, no attractiveness,
// satisfaction not used: lapses come first in a day, then the arrivals, so
// the buyers active at the end of day t (from 0) have expectation
// N(t) = N + (N0 - N) e^(-h (t + 1)), N = a / (1 - e^-h) (about a/h).
TEST(ClosedFormV2, ActiveBuyersApproachArrivalsOverHazard) {
  const double n0 = 5000, a = 200, h = 0.02;
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"replications=16", "population.buyers=5000", "calendar.days=90", "buyers.session_rate=0.05",
       "buyers.arrivals.per_day=200", "buyers.lapse.hazard=0.02"});
  const RunResult r = run(s, test::threads(2));
  const double p = 1 - std::exp(-h), n = a / p;
  for (int t : {0, 29, 59, 89}) {
    const double expected = n + (n0 - n) * std::exp(-h * (t + 1));
    test::expect_within(daily_at(r, "active_buyers", t), expected,
                        "active buyers, day " + std::to_string(t));
  }
  // Each day's lapses are p x the buyers active the day before.
  double lapses = 0;
  for (int t = 60; t <= 89; ++t) lapses += p * (n + (n0 - n) * std::exp(-h * t)) / 30;
  test::expect_within(test::daily_mean(r, "buyer_lapses", 60, 89), lapses,
                      "lapses/day, days 60-89");
  test::expect_within(test::daily_mean(r, "buyer_arrivals", 0, 89), a, "arrivals/day");
}

// One category, m identical store listings all allowed on search, every
// session an intent session: each of the first min(m, search_depth) listings
// converts with p = c0 x Q(q) = 0.05 and the first order ends the session, so
// P(order per session) = 1 - (1 - p)^min(m, depth).
TEST(ClosedFormV2, SearchConvertsOnTheFirstListingsOfTheCategory) {
  for (const int m : {6, 40}) {
    const Scenario s = test::scenario_from(test::homogeneous_yaml(),
                                           {"population.merchants=" + std::to_string(m),
                                            "buyers.intent_share=1", "buyers.search_depth=10"});
    const RunResult r = run(s, test::threads(2));
    const double expected = 1 - std::pow(1 - 0.05, std::min(m, 10));
    std::vector<double> conversion, met;
    for (const auto& rep : r.replications) {
      conversion.push_back(test::metric(rep, "conversion"));
      met.push_back(test::metric(rep, "intent_met_share"));
    }
    test::expect_within(summarize(conversion), expected, "conversion, m = " + std::to_string(m));
    test::expect_within(summarize(met), expected, "intent needs met, m = " + std::to_string(m));
    test::expect_within(test::daily_mean(r, "sessions_search", 0, 29), 20000 * 0.5,
                        "intent sessions/day");
  }
}

// Identical listings, carts exactly as long as the candidate sample: a cart is
// a uniform sample of the listings streamers may pick, so the union pool's
// share of cart slots is its share of those listings, P / (merchants + P).
TEST(ClosedFormV2, ThePoolsShareOfCartSlotsIsItsShareOfListings) {
  const double merchants = 40, pool = 20;
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"population.streamers=1000", "streamers.candidate_sample=8", "merchants.commission_spread=0",
       "external.taobao.pool={listings: 20, quality_mean: 0.5, quality_sd: 0, commission_min: "
       "0.2, commission_max: 0.2}"});
  std::vector<double> shares;
  for (int rep = 0; rep < 16; ++rep) {
    Simulation sim(s, detail::mix64(static_cast<std::uint64_t>(rep) + 1));
    sim.step();
    const auto& w = sim.world();
    double slots = 0, in_pool = 0;
    for (std::size_t st = 0; st < w.cart_len.size(); ++st) {
      for (int i = 0; i < w.cart_len[st]; ++i) {
        const int l = w.carts[st * w.cart_size + i];
        ++slots;
        in_pool += w.merchants[w.listings[l].merchant].pool;
      }
    }
    ASSERT_EQ(slots, 1000 * 8);
    shares.push_back(in_pool / slots);
  }
  test::expect_within(summarize(shares), pool / (merchants + pool), "pool share of cart slots");
}

// Every streamer below an unreachable reservation income leaves at the end of
// its patience_months-th whole month (a month it joined in does not count);
// new streamers arrive e a day. The streamers present at the end of day t
// (after that day's month end) are then expected to be the initial ones still
// there plus e x the days d <= t whose entrant has not left by then.
TEST(ClosedFormV2, StreamersEntryAndExitBalance) {
  const double e = 40;
  const int patience = 2;
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(), {"replications=16", "calendar.days=150", "population.buyers=2000",
                                 "streamers.reservation_income=1e9", "streamers.patience_months=2",
                                 "streamers.entry.per_day=40"});
  // The day (from calendar.start) of the month end at which a streamer that
  // joined on `joined` leaves.
  const auto leaves = [&](int joined) {
    int judged = 0;
    for (int day = 0;; ++day) {
      const Date date = s.calendar.start + day;
      if (!last_day_of_month(date)) continue;
      if (joined <= day + 1 - days_in_month(date) && ++judged == patience) return day;
    }
  };
  const RunResult r = run(s, test::threads(2));
  for (int t : {40, 100, 149}) {
    double expected = t < leaves(0) ? 10.0 : 0.0;  // the initial ones joined on day 0
    for (int d = 0; d <= t; ++d) expected += leaves(d) > t ? e : 0.0;
    test::expect_within(daily_at(r, "streamers_present", t), expected,
                        "streamers present, day " + std::to_string(t));
  }
}

}  // namespace
}  // namespace linksim
