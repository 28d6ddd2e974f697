// Buyers' arrivals, lapses and returns (engine/day/buyers.cpp). The approach
// of the active buyers to a/h is checked against its closed form in
// tests/day/closed_form_v2_test.cpp; here: returns, the satisfaction that
// raises the hazard, and the refusal to run past the buyer slots.
#include <gtest/gtest.h>

#include <cmath>

#include "day/phases.hpp"
#include "linksim/simulation.hpp"
#include "support.hpp"
#include "world/build.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

using namespace detail;

// No arrivals, a lapse hazard h and a return hazard r: a two-state chain with
// daily probabilities p = 1 - e^-h and q = 1 - e^-r, whose active share
// settles at q / (p + q).
TEST(Buyers, LapsedBuyersReturnAtTheReturnRate) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"population.buyers=20000", "calendar.days=200", "buyers.session_rate=0.02",
       "buyers.lapse={hazard: 0.02, return_rate: 0.03}"});
  const RunResult r = run(s, test::threads(2));
  const double p = 1 - std::exp(-0.02), q = 1 - std::exp(-0.03);
  const double share = q / (p + q);
  const Interval active = test::daily_mean(r, "active_buyers", 150, 199);
  EXPECT_NEAR(active.mean, 20000 * share, 0.02 * 20000 * share);
  const Interval back = test::daily_mean(r, "buyer_returns", 150, 199);
  EXPECT_NEAR(back.mean, q * 20000 * (1 - share), 0.1 * q * 20000 * (1 - share));
}

TEST(Buyers, UnmetNeedsRaiseTheLapseHazard) {
  // No listing on search: every intent session is an unmet need, so
  // satisfaction falls toward 0 and the hazard toward h x (1 + d).
  const std::vector<std::string> common{"population.buyers=20000", "calendar.days=120",
                                        "buyers.intent_share=1", "population.merchants=0",
                                        "buyers.lapse.hazard=0.002"};
  auto with = [&](double d) {
    auto o = common;
    o.push_back("buyers.lapse.dissatisfaction=" + std::to_string(d));
    return run(test::scenario_from(test::homogeneous_yaml(), o), test::threads(2));
  };
  // Lapses per active buyer: 1 - e^-h(1 + d(1 - s)). Satisfaction moves 1/15 of
  // the way to 0 per session (memory 30 days x 0.5 sessions a day), so after
  // 30 sessions (day 60) s < 0.13 and the hazard is over 4.5 x h.
  const auto rate = [](const RunResult& r) {
    return test::daily_mean(r, "buyer_lapses", 60, 119).mean /
           test::daily_mean(r, "active_buyers", 59, 118).mean;
  };
  const double calm = rate(with(0)), upset = rate(with(4));
  EXPECT_NEAR(calm, 1 - std::exp(-0.002), 0.0003);
  EXPECT_GT(upset, (1 - std::exp(-4.5 * 0.002)) * 0.95);
  EXPECT_LT(upset, (1 - std::exp(-5 * 0.002)) * 1.05);
}

TEST(Buyers, SlotsBoundEveryArrival) {
  Scenario s = test::scenario_from(test::homogeneous_yaml(), {"buyers.arrivals.per_day=100"});
  const std::int64_t slots = buyer_slots(s);
  // 20000 + the Poisson mean of 30 days (3000) + 10 sd + 10.
  EXPECT_EQ(slots,
            20000 + static_cast<std::int64_t>(std::ceil(3000 + 10 * std::sqrt(3000.0) + 10)));
  Simulation sim(s, 3);
  sim.run_to_end();
  EXPECT_LE(sim.world().buyers.born, slots);
  EXPECT_EQ(sim.world().buyers.total, slots);
}

}  // namespace
}  // namespace linksim
