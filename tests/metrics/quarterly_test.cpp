// Model v2's outputs (engine/metrics/finish.cpp): the quarterly table built
// from the months (sums, shares of sums, growth only between whole
// quarters), the intent sessions by category adding up to the month's, and
// the files a run writes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

int column(const std::vector<ColumnInfo>& cols, const std::string& name) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(Quarterly, QuartersFromMonthsAndGrowthBetweenWholeQuarters) {
  // From mid-February for 400 days: 2022-Q1 is partial, 2022-Q2 to 2023-Q1
  // whole, 2023-Q1's year-on-year growth against a partial quarter is empty.
  const Scenario s = test::scenario_from(
      "extends: platform.yaml\nname: q\nreplications: 2\n"
      "calendar: { start: 2022-02-15, days: 400, warmup_days: 20 }\n"
      "population: { buyers: 4000, merchants: 60, streamers: 20 }\n"
      "buyers: { arrivals: { per_day: 8 } }\n");
  const RunResult r = run(s, test::threads(2));
  ASSERT_EQ(r.quarters.front(), "2022-Q1");
  ASSERT_EQ(r.quarters.back(), "2023-Q1");
  ASSERT_EQ(r.quarters.size(), 5u);
  const auto& qc = quarterly_info();
  const auto& mc = monthly_info();
  for (const auto& rep : r.replications) {
    const auto& q = rep.quarterly;
    const auto& m = rep.monthly;
    // 2022-Q1 holds February and March (the horizon's first two months).
    EXPECT_DOUBLE_EQ(q(0, column(qc, "gmv")), m(0, column(mc, "gmv")) + m(1, column(mc, "gmv")));
    EXPECT_EQ(q(0, column(qc, "whole")), 0.0);
    for (const char* c :
         {"entries", "entries_native", "entries_origin_taobao", "entries_origin_jd"}) {
      EXPECT_DOUBLE_EQ(q(1, column(qc, c)),
                       m(2, column(mc, c)) + m(3, column(mc, c)) + m(4, column(mc, c)))
          << c;
    }
    EXPECT_EQ(q(1, column(qc, "whole")), 1.0);
    EXPECT_DOUBLE_EQ(q(1, column(qc, "gmv")),
                     m(2, column(mc, "gmv")) + m(3, column(mc, "gmv")) + m(4, column(mc, "gmv")));
    EXPECT_TRUE(std::isnan(q(1, column(qc, "gmv_growth_qoq"))));  // against a partial quarter
    EXPECT_DOUBLE_EQ(q(2, column(qc, "gmv_growth_qoq")),
                     q(2, column(qc, "gmv")) / q(1, column(qc, "gmv")) - 1);
    EXPECT_TRUE(std::isnan(q(4, column(qc, "gmv_growth_yoy"))));
    EXPECT_DOUBLE_EQ(q(2, column(qc, "in_store_share")),
                     q(2, column(qc, "gmv_store")) / q(2, column(qc, "gmv")));
    EXPECT_DOUBLE_EQ(q(2, column(qc, "gmv_platform")),
                     q(2, column(qc, "gmv")) * s.reports.platform_scale / s.population.scale);
    // Intent sessions by category add up to the month's.
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      double sum = 0;
      for (Eigen::Index k = 0; k < rep.by_category.cols(); k += 2) sum += rep.by_category(i, k);
      EXPECT_DOUBLE_EQ(sum, m(i, column(mc, "intent_sessions"))) << "month " << i;
    }
  }
  const fs::path dir = test::temp_path("linksim_quarterly");
  fs::remove_all(dir);
  write_run(r, dir);
  for (const char* f : {"quarterly.csv", "search_by_category.csv", "monthly.csv"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  const std::string q = test::read_file(dir / "quarterly.csv");
  EXPECT_EQ(q.substr(0, q.find(',')), "quarter");
  EXPECT_NE(q.find("\n2022-Q2,"), std::string::npos);
  const std::string c = test::read_file(dir / "search_by_category.csv");
  EXPECT_NE(c.find("\n2022-03,apparel,"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linksim
