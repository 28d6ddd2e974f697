// The policy timeline: a closure on date D empties every cart of the closed
// listings on D, not before or after; a closure of one surface only (JD in
// livestream carts) leaves the other surface's sales.
#include <gtest/gtest.h>

#include "day/phases.hpp"
#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using linksim::Channel;

int cart_listings(const detail::World& w, Channel c) {
  int n = 0;
  for (std::size_t st = 0; st < w.streamers.size(); ++st) {
    for (int i = 0; i < w.cart_len[st]; ++i) {
      n += w.hot[w.carts[st * w.cart_size + i]].channel == c;
    }
  }
  return n;
}

Scenario closure_world() {
  return test::small_world(
      "merchants: { origin_mix: { native: 0.5, taobao: 0.3, jd: 0.2 } }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true }, jd: { live: true, video: true "
      "} }\n"
      "  - { from: 2022-02-10, taobao: { live: false, video: false }, jd: { live: false } }\n");
}

TEST(Policy, ClosureEmptiesCartsOnItsDay) {
  const Scenario s = closure_world();
  const int closure = 40;  // 2022-02-10
  Simulation sim(s, detail::replication_seed(s.seed, 0), 1);
  while (sim.day() < closure) sim.step();
  // The day before: union listings are in carts.
  EXPECT_GT(cart_listings(sim.world(), Channel::taobao), 0);
  EXPECT_GT(cart_listings(sim.world(), Channel::jd), 0);
  sim.step();  // day D
  EXPECT_EQ(cart_listings(sim.world(), Channel::taobao), 0);
  // JD is closed in live carts only: its listings stay, and sell on video only.
  EXPECT_GT(cart_listings(sim.world(), Channel::jd), 0);
  int jd_video = 0;
  for (int d = closure; d < s.calendar.days; ++d) {
    for (const auto& o : sim.world().orders) {
      if (sim.world().hot[o.listing].channel != Channel::jd) continue;
      EXPECT_EQ(o.surface, Surface::video) << "day " << d;
      jd_video += o.filled;
    }
    if (d + 1 < s.calendar.days) sim.step();
  }
  EXPECT_GT(jd_video, 0);
  const ReplicationResult r = sim.result();
  const auto taobao = r.daily.col(test::daily_column("gmv_taobao"));
  EXPECT_GT(taobao.head(closure).sum(), 0);
  EXPECT_EQ(taobao.tail(s.calendar.days - closure).sum(), 0);
}

TEST(Policy, DormantMerchantsComeBackWhenLinksReopen) {
  // Taobao links close on 2022-01-20 and reopen on 2022-03-10 for 60% of
  // Taobao merchants; nobody opens a store, so they idle through February and
  // leave (dormant) at its end.
  const Scenario s = test::small_world(
      "merchants: { origin_mix: { native: 0.5, taobao: 0.5, jd: 0 }, idle_exit_months: 1,\n"
      "             onboarding: { probability: 0 }, exit_hazard_monthly: 0 }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true } }\n"
      "  - { from: 2022-01-20, taobao: { live: false, video: false } }\n"
      "  - { from: 2022-03-10, taobao: { live: true, video: true, eligible_share: 0.6 } }\n");
  const int reopen = 68;  // 2022-03-10
  Simulation sim(s, detail::replication_seed(s.seed, 0), 1);
  while (sim.day() < reopen) sim.step();
  std::vector<std::size_t> dormant;
  for (std::size_t i = 0; i < sim.world().merchants.size(); ++i) {
    if (sim.world().merchants[i].dormant) dormant.push_back(i);
  }
  ASSERT_GT(dormant.size(), 5u);
  sim.step();
  int back = 0;
  for (std::size_t i : dormant) {
    const auto& m = sim.world().merchants[i];
    const bool eligible = m.eligible_draw < 0.6f;
    EXPECT_EQ(m.state == detail::MerchantState::active, eligible) << i;
    back += eligible;
    if (eligible) {
      EXPECT_EQ(m.absent.back().second, reopen);
    }
  }
  EXPECT_GT(back, 0);
  EXPECT_LT(back, static_cast<int>(dormant.size()));
  const ReplicationResult r = sim.result();
  EXPECT_EQ(r.daily(reopen, test::daily_column("returns")), back);
  EXPECT_EQ(r.daily.col(test::daily_column("returns")).sum(), back);
}

TEST(Policy, ConditionsFollowTheTimelineAndEvents) {
  const Scenario s = test::scenario_from("extends: kuaishou_2022.yaml\n");
  Date d = 0;
  parse_date("2022-02-28", d);
  auto c = detail::conditions_on(s, d);
  EXPECT_EQ(c.surfaces[1], 7);  // live, video and search
  parse_date("2022-03-01", d);
  c = detail::conditions_on(s, d);
  EXPECT_EQ(c.surfaces[1], 0);  // Taobao closed everywhere
  EXPECT_EQ(c.surfaces[2], 6);  // JD: video and search (product pages)
  parse_date("2022-04-15", d);
  c = detail::conditions_on(s, d);
  EXPECT_DOUBLE_EQ(c.demand, 0.85);
  EXPECT_DOUBLE_EQ(c.logistics[0], 0.6);
  parse_date("2022-10-28", d);
  c = detail::conditions_on(s, d);
  EXPECT_EQ(c.surfaces[1], 7);
  EXPECT_DOUBLE_EQ(c.eligible[1], 0.4);
  EXPECT_EQ(c.surfaces[2], 6);  // JD reopens a day later
  EXPECT_DOUBLE_EQ(c.traffic, 1.5);
  EXPECT_DOUBLE_EQ(c.commission_bonus[1], 0.05);  // Taobao Union's Double 11 subsidy
  EXPECT_DOUBLE_EQ(c.commission_bonus[2], 0.0);
  parse_date("2022-11-12", d);
  c = detail::conditions_on(s, d);
  EXPECT_DOUBLE_EQ(c.commission_bonus[1], 0.0);
}

// Model v2: an event that says `every: year` is in force on its dates in
// every year, before and after the one it names, across the new year too.
TEST(Policy, RecurringEventsRepeatEveryYear) {
  Scenario s;
  Event e;
  e.type = EventType::promotion;
  e.traffic = 2.0;
  e.every = "year";
  parse_date("2022-12-25", e.from);
  parse_date("2023-01-05", e.to);
  s.events = {e};
  const auto traffic = [&](const char* date) {
    Date d = 0;
    parse_date(date, d);
    return detail::conditions_on(s, d).traffic;
  };
  EXPECT_DOUBLE_EQ(traffic("2021-12-31"), 2.0);
  EXPECT_DOUBLE_EQ(traffic("2024-01-05"), 2.0);
  EXPECT_DOUBLE_EQ(traffic("2024-01-06"), 1.0);
  EXPECT_DOUBLE_EQ(traffic("2025-12-24"), 1.0);
  EXPECT_DOUBLE_EQ(traffic("2025-12-25"), 2.0);
  s.events[0].every.clear();
  EXPECT_DOUBLE_EQ(traffic("2021-12-31"), 1.0);
  EXPECT_DOUBLE_EQ(traffic("2022-12-31"), 2.0);
}

}  // namespace
}  // namespace linksim
