// Retention metrics on hand-built merchant histories with known answers.
#include <gtest/gtest.h>

#include <cmath>

#include "day/phases.hpp"
#include "metrics/finish.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

TEST(Retention, HandBuiltHistories) {
  const Scenario s = test::scenario_from(
      "name: r\ncalendar: { start: 2022-01-01, days: 200, warmup_days: 0 }\n"
      "merchants: { fixed_cost_monthly: 0, exit_hazard_monthly: 0, patience_months: 1000,\n"
      "             idle_exit_months: 1000 }\n");
  World w;
  w.month_of_day = month_index(s);
  w.recorder.resize(200, 0, w.month_of_day.back() + 1);
  // Day-0 merchants leaving on days 10, 50 and 100, one staying, and one
  // dormant from day 20 that comes back on day 100.
  const std::vector<std::pair<int, int>> initial_absence{
      {10, never}, {50, never}, {100, never}, {never, never}, {20, 100}};
  for (const auto& [left, back] : initial_absence) {
    Merchant m;
    m.initial = true;
    m.join_day = 0;
    m.exit_day = left;
    w.merchants.push_back(m);
  }
  auto come_back_day = [&](std::size_t i) { return i < 5 ? initial_absence[i].second : never; };
  // January entrants: two leave in February (before its end), one in March;
  // three end their cold start after 4, 6 and 10 days.
  struct Entrant {
    int join, exit, cold;
  };
  const std::vector<Entrant> entrants{
      {3, 40, 7}, {5, never, 11}, {10, 57, never}, {20, 70, 30}, {30, never, never}};
  for (const auto& e : entrants) {
    Merchant m;
    m.join_day = e.join;
    m.exit_day = e.exit;
    m.cold_start_day = e.cold;
    w.merchants.push_back(m);
  }
  for (int day = 0; day < 200; ++day) {
    w.today.day = day;
    w.today.sim_day = day;
    w.today.date = s.calendar.start + day;
    w.today.month = w.month_of_day[day];
    w.today.month_end = day + 1 == 200 || w.month_of_day[day + 1] != w.today.month;
    for (std::size_t i = 0; i < w.merchants.size(); ++i) {
      Merchant& m = w.merchants[i];
      if (m.exit_day == day) {
        m.state = MerchantState::exited;
        m.absent.emplace_back(day, never);
      }
      if (come_back_day(i) == day) {
        m.state = MerchantState::active;
        m.absent.back().second = day;
      }
      if (m.join_day == day && !m.initial) ++w.recorder.joined[w.today.month];
    }
    if (w.today.month_end) close_month(s, w);
    record_day(s, w);
  }
  const ReplicationResult r = finish_replication(s, w);
  auto metric = [&](const char* name) { return test::metric(r, name); };
  // Active after 30 days: those leaving on 50, 100 and never; after 90: 100
  // and never; after 180: never and the one back since day 100.
  EXPECT_DOUBLE_EQ(metric("retention_30"), 3.0 / 5);
  EXPECT_DOUBLE_EQ(metric("retention_90"), 2.0 / 5);
  EXPECT_DOUBLE_EQ(metric("retention_180"), 2.0 / 5);
  EXPECT_DOUBLE_EQ(metric("new_merchant_retention"), 3.0 / 5);  // 5 joined, 3 left by Feb 28
  // Kaplan-Meier over 4, 6, 10 days (ended) and 47, 170 (censored): survival
  // 0.8, 0.6, 0.4 after days 4, 6, 10, so the median is 10 (the median of the
  // three that ended, 6, would ignore the two still waiting).
  EXPECT_DOUBLE_EQ(metric("cold_start_median_days"), 10.0);
  EXPECT_DOUBLE_EQ(metric("cold_start_reached"), 3.0 / 5);
  EXPECT_DOUBLE_EQ(metric("merchants_start"), 5);
  EXPECT_DOUBLE_EQ(metric("entries"), 5);
  EXPECT_DOUBLE_EQ(metric("exits"), 6);
  // Monthly table: January's cohort 5, retention 0.6; February's cohort empty.
  auto column = [](const char* name) {
    for (std::size_t i = 0; i < monthly_info().size(); ++i) {
      if (monthly_info()[i].name == name) return static_cast<Eigen::Index>(i);
    }
    return Eigen::Index{-1};
  };
  const auto cohort = column("new_merchants"), retention = column("new_merchant_retention");
  EXPECT_EQ(r.monthly(0, cohort), 5);
  EXPECT_DOUBLE_EQ(r.monthly(0, retention), 0.6);
  EXPECT_TRUE(std::isnan(r.monthly(1, retention)));        // nobody joined in February
  EXPECT_EQ(r.monthly(1, column("active_merchants")), 5);  // at the end of February
}

}  // namespace
}  // namespace linksim
