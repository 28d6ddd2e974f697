// Fulfilment (engine/day/fulfilment.cpp): a filled order is on time with
// probability on_time x the day's logistics of its channel; a late one costs
// the buyer late_penalty of trust; streamers' reputation moves toward the
// share of their day's orders served well; cold start ends on the first day
// of cold_start.sales units; search orders (no streamer) touch no streamer.
#include <gtest/gtest.h>

#include <cmath>

#include "day/phases.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

struct Deliveries {
  Scenario s = test::scenario_from(
      "name: f\nbuyers: { trust: { late_penalty: 0.25 } }\n"
      "streamers: { reputation_memory_days: 4 }\nmerchants: { cold_start: { sales: 3 } }\n");
  World w;
  explicit Deliveries(double on_time, int orders, bool search = false) {
    w.recorder.resize(1, 0, 1);
    w.seed = 99;
    w.streamers.resize(1);
    Merchant m;
    m.on_time = on_time;
    m.store_listing = 0;
    m.cold_start_day = never;
    w.merchants.push_back(m);
    Listing l;
    l.merchant = 0;
    w.listings.push_back(l);
    w.hot.push_back(ListingHot{});
    w.buyers.count = orders;
    w.buyers.trust.assign(orders, 1.0f);
    for (int k = 0; k < orders; ++k) {
      w.orders.push_back(Order{static_cast<std::uint64_t>(k) * 7919u, static_cast<std::uint32_t>(k),
                               0, search ? no_streamer : 0, 0,
                               search ? Surface::search : Surface::live, true});
    }
    w.listings[0].orders_today = orders;
  }
};

TEST(Fulfilment, LateDeliveriesFollowOnTimeAndLogisticsAndCostTrust) {
  Deliveries d(0.8, 20000);
  d.w.today.logistics = {0.5, 1, 1};  // a lockdown halves the store's capacity
  fulfil_orders(d.s, d.w);
  const double late = d.w.recorder.at(0, Daily::late);
  // Binomial(20000, 1 - 0.4): within 5 standard deviations.
  EXPECT_NEAR(late, 20000 * 0.6, 5 * std::sqrt(20000 * 0.6 * 0.4));
  int hit = 0;
  for (float t : d.w.buyers.trust) {
    EXPECT_TRUE(t == 1.0f || t == 0.75f);
    hit += t == 0.75f;
  }
  EXPECT_EQ(hit, late);
  // Reputation moves 1/memory_days of the way toward the share served on time.
  const double ok = 1.0 - late / 20000;
  EXPECT_NEAR(d.w.streamers[0].reputation, 1.0 + (ok - 1.0) / 4, 1e-12);
  EXPECT_EQ(d.w.streamers[0].day_orders, 0);  // reset for the next day
  // The merchant sold 20000 >= 3 units today: its cold start ended.
  EXPECT_EQ(d.w.merchants[0].cold_start_day, 0);
  EXPECT_EQ(d.w.listings[0].orders_today, 0);
}

TEST(Fulfilment, AlwaysOnTimeCostsNothing) {
  Deliveries d(1.0, 500);
  fulfil_orders(d.s, d.w);
  EXPECT_EQ(d.w.recorder.at(0, Daily::late), 0);
  EXPECT_DOUBLE_EQ(d.w.streamers[0].reputation, 1.0);
  for (float t : d.w.buyers.trust) EXPECT_EQ(t, 1.0f);
}

TEST(Fulfilment, SearchOrdersTouchNoStreamer) {
  Deliveries d(0.0, 50, true);
  fulfil_orders(d.s, d.w);
  EXPECT_EQ(d.w.recorder.at(0, Daily::late), 50);  // late, and the buyers pay for it
  EXPECT_DOUBLE_EQ(d.w.streamers[0].reputation, 1.0);
}

TEST(Fulfilment, ColdStartNeedsEnoughUnitsInADay) {
  Deliveries d(1.0, 2);  // 2 units, cold_start.sales is 3
  fulfil_orders(d.s, d.w);
  EXPECT_EQ(d.w.merchants[0].cold_start_day, never);
}

}  // namespace
}  // namespace linksim
