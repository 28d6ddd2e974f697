// Month end on hand-built merchants: fixed cost prorated by days listed,
// exits after `patience_months` losing months or `idle_exit_months` idle
// ones, dormancy for external merchants idled by a closure, stock plans.
#include <gtest/gtest.h>

#include "day/phases.hpp"
#include "metrics/finish.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

struct Books {
  Scenario s = test::scenario_from(
      "name: m\ncalendar: { start: 2022-01-01, days: 120, warmup_days: 0 }\n"
      "merchants: { fixed_cost_monthly: 3100, patience_months: 2, idle_exit_months: 2,\n"
      "             exit_hazard_monthly: 0, stock: { adapt: 0.5, daily_units: 4,\n"
      "             days_of_cover: 10 } }\n");
  World w;
  Books() {
    w.month_of_day = month_index(s);
    w.recorder.resize(120, 0, w.month_of_day.back() + 1);
  }
  int add(Origin origin, Fen monthly_net, int listed_days) {
    Merchant m;
    m.origin = origin;
    m.month_net = monthly_net;
    m.listed_days = listed_days;
    m.idle_all_month = listed_days == 0;
    Listing l;
    l.planned_daily = 4;
    l.month_demand = 31 * 10;  // 10 orders a day shown
    l.month_days = 31;
    w.listings.push_back(l);
    (origin == Origin::native ? m.store_listing : m.union_listing) =
        static_cast<int>(w.listings.size()) - 1;
    w.merchants.push_back(m);
    return static_cast<int>(w.merchants.size()) - 1;
  }
  void end_of_month(int day, const std::vector<std::pair<Fen, int>>& books) {
    w.today.day = w.today.sim_day = day;
    w.today.date = s.calendar.start + day;
    w.today.month = w.month_of_day[day];
    for (std::size_t i = 0; i < books.size(); ++i) {
      auto& m = w.merchants[i];
      if (m.state != MerchantState::active) continue;
      m.month_net = books[i].first;
      m.listed_days = books[i].second;
      m.idle_all_month = books[i].second == 0;
    }
    close_month(s, w);
  }
};

TEST(MonthEnd, FixedCostsLossesIdlenessAndStock) {
  Books b;
  const int profitable = b.add(Origin::native, 500000, 31);  // 5,000 RMB net
  const int losing = b.add(Origin::native, 100000, 31);      // 1,000 RMB < 3,100 RMB
  const int part_time = b.add(Origin::native, 150000, 10);   // listed 10 of 31 days
  const int idle = b.add(Origin::taobao, 0, 0);
  // January: costs booked for days listed, in fen.
  b.end_of_month(30, {{500000, 31}, {100000, 31}, {150000, 10}, {0, 0}});
  EXPECT_EQ(b.w.merchants[profitable].fixed_costs, 310000);
  EXPECT_EQ(b.w.merchants[part_time].fixed_costs, 100000);  // 3,100 x 10/31 RMB
  EXPECT_EQ(b.w.merchants[losing].loss_months, 1);
  EXPECT_EQ(b.w.merchants[part_time].loss_months, 0);  // 1,500 > 1,000 RMB
  EXPECT_EQ(b.w.merchants[idle].idle_months, 1);
  for (int m : {profitable, losing, part_time, idle}) {
    EXPECT_EQ(b.w.merchants[m].state, MerchantState::active) << m;
  }
  // Stock plan: halfway from 4 to 10 units a day, cap = 7 x 10 days of cover.
  const Listing& l = b.w.listings[b.w.merchants[profitable].store_listing];
  EXPECT_DOUBLE_EQ(l.planned_daily, 7.0);
  EXPECT_DOUBLE_EQ(l.cap, 70.0);
  EXPECT_EQ(l.month_demand, 0);
  // February: the second losing month and the second idle month end them.
  b.end_of_month(58, {{500000, 28}, {100000, 28}, {150000, 28}, {0, 0}});
  EXPECT_EQ(b.w.merchants[profitable].state, MerchantState::active);
  EXPECT_EQ(b.w.merchants[part_time].state, MerchantState::active);
  EXPECT_EQ(b.w.merchants[losing].state, MerchantState::exited);
  EXPECT_FALSE(b.w.merchants[losing].dormant);
  EXPECT_EQ(b.w.merchants[idle].state, MerchantState::exited);
  EXPECT_TRUE(b.w.merchants[idle].dormant);  // still on Taobao: back if links reopen
  EXPECT_EQ(b.w.merchants[idle].exit_day, 58);
  EXPECT_EQ(b.w.recorder.at(58, Daily::exits), 2);
}

TEST(MonthEnd, MoneyOfSingleOrders) {
  // One store order and one Taobao order at 100 RMB, margin 35%, commission
  // 20%: the split of each, to the fen.
  Scenario s = test::scenario_from(
      "name: money\nplatform: { store_take_rate: 0.05, cps_share: 0.1 }\n"
      "external: { taobao: { take_rate: 0.05 } }\n");
  World w;
  w.recorder.resize(1, 0, 1);
  w.today.fee = {0, 0.15, 0};
  w.streamers.resize(1);
  for (Channel c : {Channel::store, Channel::taobao}) {
    Merchant m;
    m.margin = 0.35;
    m.commission = 0.2;
    w.merchants.push_back(m);
    Listing l;
    l.merchant = static_cast<int>(w.merchants.size()) - 1;
    l.price = 10000;
    w.listings.push_back(l);
    ListingHot h;
    h.channel = c;
    w.hot.push_back(h);
    w.orders.push_back(
        Order{1, 0, static_cast<std::uint32_t>(l.merchant), 0, 0, Surface::live, true});
  }
  settle_money(s, w);
  // Store: goods 6,500, commission 2,000, fee 500 -> merchant 1,000 fen.
  EXPECT_EQ(w.merchants[0].sales_net, 1000);
  // Taobao: goods 6,500, commission 2,000 (200 to the platform as CPS),
  // Taobao's fee 500, link fee 1,500 -> merchant -500 fen.
  EXPECT_EQ(w.merchants[1].sales_net, -500);
  EXPECT_EQ(w.accounts.platform_store_fees, 500);
  EXPECT_EQ(w.accounts.platform_cps, 200);
  EXPECT_EQ(w.accounts.platform_link_fees, 1500);
  EXPECT_EQ(w.accounts.external_fees, 500);
  EXPECT_EQ(w.streamers[0].income, 2000 + 1800);
  EXPECT_EQ(w.accounts.gmv, 20000);
  EXPECT_EQ(w.recorder.at(0, Daily::platform_revenue), 500 + 200 + 1500);
}

}  // namespace
}  // namespace linksim
