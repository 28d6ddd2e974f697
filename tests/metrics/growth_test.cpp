// Growth metrics on a hand-built two-year GMV series with known answers.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/finish.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

// Every day of month m (0 = January 2021) sells (m + 1) x 1,000 fen.
ReplicationResult two_years(int days) {
  const Scenario s =
      test::scenario_from("name: g\ncalendar: { start: 2021-01-01, days: " + std::to_string(days) +
                          ", warmup_days: 0 }\n");
  World w;
  w.month_of_day = month_index(s);
  w.recorder.resize(days, 0, w.month_of_day.back() + 1);
  for (int d = 0; d < days; ++d) {
    w.recorder.at(d, Daily::gmv_store) = 1000.0 * (w.month_of_day[d] + 1);
  }
  return finish_replication(s, w);
}

TEST(Growth, MonthQuarterAndYear) {
  const ReplicationResult r = two_years(730);  // 2021-01-01 to 2022-12-31
  // December 2022 (month 23, 31 days) over November (month 22, 30 days).
  EXPECT_DOUBLE_EQ(test::metric(r, "gmv_growth_last_month"), (24.0 * 31) / (23.0 * 30) - 1);
  // Q4 2022 (months 21-23) over Q3 2022 (months 18-20).
  const double q4 = 22.0 * 31 + 23.0 * 30 + 24.0 * 31, q3 = 19.0 * 31 + 20.0 * 31 + 21.0 * 30;
  EXPECT_DOUBLE_EQ(test::metric(r, "gmv_growth_last_quarter"), q4 / q3 - 1);
  // December 2022 over December 2021 (month 11).
  EXPECT_DOUBLE_EQ(test::metric(r, "gmv_growth_yoy"), 24.0 / 12.0 - 1);
}

TEST(Growth, PartialMonthsAreNotCompared) {
  // Ends on 2022-12-15: the last full month is November 2022 (month 22).
  const ReplicationResult r = two_years(714);
  EXPECT_DOUBLE_EQ(test::metric(r, "gmv_growth_last_month"), (23.0 * 30) / (22.0 * 31) - 1);
  EXPECT_DOUBLE_EQ(test::metric(r, "gmv_growth_yoy"), 23.0 / 11.0 - 1);
  // One year only: no year-on-year growth.
  EXPECT_TRUE(std::isnan(test::metric(two_years(365), "gmv_growth_yoy")));
}

}  // namespace
}  // namespace linksim
