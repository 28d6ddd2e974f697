// The calibration target: months and quarters against the horizon, units and
// weights, each metric's scale, every problem at its line and column, and a
// quarter's value built from its months like the monthly table's.
#include "analysis/target.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

// Horizon 2022-01-15 .. 2022-08-02: January and August only partly inside.
Scenario mid_month() {
  return load_scenario(test::bundled("base.yaml"),
                       {"calendar.start=2022-01-15", "calendar.days=200"});
}

fs::path write(const std::string& name, const std::string& text) {
  const fs::path p = test::temp_path(name);
  std::ofstream(p) << text;
  return p;
}

int column_of(const std::string& name) {
  const auto& info = monthly_info();
  for (std::size_t c = 0; c < info.size(); ++c) {
    if (info[c].name == name) return static_cast<int>(c);
  }
  ADD_FAILURE() << name;
  return 0;
}

TEST(Target, MonthsQuartersUnitsWeightsAndScales) {
  const fs::path p = write("target_ok.csv",
                           "\xEF\xBB\xBF# observed, from the platform's reports\r\n"
                           "period, metric, value, weight, unit\r\n"
                           "2022-02,gmv,120,2,万\r\n"
                           "2022-Q2,gmv,3.5,,亿\r\n"
                           "\r\n"
                           "2022-03,in_store_share,99,1,percent\r\n"
                           "2022-03,gmv_growth,0.1,1,share\r\n"
                           "2022-06,new_merchant_retention,0.8,1,\r\n"
                           "2022-q2,active_merchants,\"500\",0.5,count\r\n");
  const auto rows = detail::read_target(p, mid_month());
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[0].value, 120 * 1e6);  // fen
  EXPECT_EQ(rows[0].weight, 2);
  EXPECT_EQ(rows[0].unit, "fen");
  EXPECT_EQ(rows[0].months, (std::vector<int>{1}));
  EXPECT_EQ(rows[1].value, 3.5e10);
  EXPECT_EQ(rows[1].weight, 1);
  EXPECT_EQ(rows[1].months, (std::vector<int>{3, 4, 5}));
  const double gmv_scale = std::sqrt((1.2e8 * 1.2e8 + 3.5e10 * 3.5e10) / 2);
  EXPECT_DOUBLE_EQ(rows[0].scale, gmv_scale);
  EXPECT_DOUBLE_EQ(rows[1].scale, gmv_scale);
  EXPECT_DOUBLE_EQ(rows[2].value, 0.99);
  EXPECT_DOUBLE_EQ(rows[2].scale, 0.99);
  EXPECT_EQ(rows[3].before, (std::vector<int>{1}));
  EXPECT_EQ(rows[5].period, "2022-Q2");
  EXPECT_EQ(rows[5].value, 500);
  EXPECT_EQ(rows[5].unit, "count");
  fs::remove(p);
}

TEST(Target, EveryProblemAtItsLineAndColumn) {
  const fs::path p = write("target_bad.csv",
                           "period,metric,value,weight,unit\n"
                           "2022-01,gmv,100,,\n"
                           "2021-12,gmv,100,,\n"
                           "2022-13,gmv,1,,\n"
                           "2022-03,gmv_grwth,1,,\n"
                           "2022-02,gmv_growth,0.1,,\n"
                           "2022-07,new_merchant_retention,0.5,,\n"
                           "2022-03,gmv,abc,,\n"
                           "2022-03,gmv,1,-1,\n"
                           "2022-03,gmv,1,,percent\n"
                           "2022-04,gmv,1,1\n"
                           "2022-05,gmv,1,,\n"
                           "2022-05,gmv,2,,\n");
  const std::string f = p.string();
  try {
    detail::read_target(p, mid_month());
    FAIL() << "expected problems";
  } catch (const ScenarioError& e) {
    const std::vector<std::string> expected{
        f + ":2:1: period: '2022-01' is only partly inside the horizon (expected whole months "
            "from 2022-01-15 to 2022-08-02)",
        f + ":3:1: period: '2021-12' is outside the horizon (expected whole months from "
            "2022-01-15 to 2022-08-02)",
        f + ":4:1: period: expected a month YYYY-MM or a quarter YYYY-Qn, got '2022-13'",
        f + ":5:9: metric: unknown metric 'gmv_grwth' (expected one of " +
            [] {
              std::string names;
              for (const auto& c : monthly_info()) names += (names.empty() ? "" : ", ") + c.name;
              return names + ", gmv_growth_qoq, gmv_growth_yoy";
            }() +
            ")",
        f + ":6:1: period: gmv_growth of '2022-02' needs the period before it wholly inside the "
            "horizon (expected a later period, or an earlier calendar.start)",
        f + ":7:1: period: new_merchant_retention of '2022-07' is measured at the end of the next "
            "month, which is not wholly inside the horizon (expected an earlier period, or more "
            "calendar.days)",
        f + ":8:13: value: expected a number, got 'abc'",
        f + ":9:15: weight: expected a number >= 0 (empty: 1), got '-1'",
        f + ":10:16: unit: 'percent' is not a unit of gmv (expected fen, rmb (元), 万, 亿 or bn "
            "rmb)",
        f + ":11:1: expected 5 fields like the header, got 4",
        f + ":13:1: period: duplicate row for 2022-05 gmv (expected each period and metric once; "
            "first at line 12)",
    };
    EXPECT_EQ(e.problems(), expected);
  }
  fs::remove(p);
}

TEST(Target, HeaderAndEmptyFiles) {
  const auto problems = [](const std::string& text) {
    const fs::path p = write("target_header.csv", text);
    std::vector<std::string> out;
    try {
      detail::read_target(p, mid_month());
    } catch (const ScenarioError& e) {
      for (const auto& m : e.problems()) out.push_back(m.substr(p.string().size()));
    }
    fs::remove(p);
    return out;
  };
  EXPECT_EQ(problems("period,metrc,value\n2022-03,gmv,1\n"),
            (std::vector<std::string>{
                ":1:8: unknown column 'metrc' (expected period, metric, value and optionally "
                "weight, unit, note and source)",
                ":1:1: the header has no 'metric' column (expected "
                "period,metric,value[,weight][,unit][,note][,source])"}));
  EXPECT_EQ(problems(""), (std::vector<std::string>{
                              ":1:1: empty file (expected a header period,metric,value[,weight][,"
                              "unit][,note][,source] and rows)"}));
  EXPECT_EQ(
      problems("period,metric,value\n"),
      (std::vector<std::string>{":1:1: no rows (expected at least one period, metric and value)"}));
  EXPECT_EQ(problems("period,metric,value,weight\n2022-03,gmv,1,0\n"),
            (std::vector<std::string>{
                ":2:1: weight: every weight is 0 (expected at least one positive)"}));
  const fs::path missing = test::temp_path("target_missing.csv");
  EXPECT_THROW(detail::read_target(missing, mid_month()), ScenarioError);
}

TEST(Target, AQuartersValueIsBuiltFromItsMonths) {
  const fs::path p = write("target_quarter.csv",
                           "period,metric,value\n"
                           "2022-Q2,gmv,1\n"
                           "2022-Q2,in_store_share,1\n"
                           "2022-Q2,gmv_growth,1\n"
                           "2022-Q2,active_merchants,1\n"
                           "2022-Q2,new_merchant_retention,1\n"
                           "2022-Q2,entries,1\n"
                           "2022-05,in_store_share,1\n");
  Scenario s =
      load_scenario(test::bundled("base.yaml"), {"calendar.start=2022-01-01", "calendar.days=365"});
  const auto rows = detail::read_target(p, s);
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(12, static_cast<Eigen::Index>(monthly_info().size()));
  for (int i = 0; i < 12; ++i) {
    m(i, column_of("gmv")) = 100 + i;
    m(i, column_of("gmv_store")) = 60 + i;
    m(i, column_of("active_merchants")) = 1000 + 10 * i;
    m(i, column_of("new_merchants")) = i == 4 ? 0 : 5 + i;  // May: no new merchants
    m(i, column_of("new_merchant_retention")) = i == 4 ? NAN : 0.1 * (i % 5);
    m(i, column_of("entries")) = i;
    m(i, column_of("in_store_share")) = -1;  // never read: shares are ratios of sums
  }
  const auto v = detail::target_values(rows, m);
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v[0], 103 + 104 + 105);                              // Q2 = April, May, June
  EXPECT_EQ(v[1], (63.0 + 64 + 65) / (103 + 104 + 105));         // share of the sums
  EXPECT_EQ(v[2], (103.0 + 104 + 105) / (100 + 101 + 102) - 1);  // over Q1
  EXPECT_EQ(v[3], 1050);                                         // at the end of June
  EXPECT_DOUBLE_EQ(v[4], (8 * 0.3 + 10 * 0.0) / (8 + 10));       // weighted by cohort size
  EXPECT_EQ(v[5], 3 + 4 + 5);
  EXPECT_EQ(v[6], 64.0 / 104);
  fs::remove(p);
}

}  // namespace
}  // namespace linksim
