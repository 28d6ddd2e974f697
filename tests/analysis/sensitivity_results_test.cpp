// The indices of `linksim sensitivity` from given quantities, without running
// the model: Morris effects divided by the steps as run (integer keys
// rounded), not by the grid's.
#include "analysis/sensitivity_results.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "support.hpp"

namespace linksim {
namespace {

// A quantity for every metric at every row: `f` of the row's scenario as run.
template <class F>
std::vector<std::vector<double>> quantity(const SensitivityPlan& plan, F f) {
  std::vector<std::vector<double>> q;
  const std::size_t per_row = plan.compare.empty() ? 1 : 2;
  for (int r = 0; r < plan.rows; ++r) {
    const Scenario& s = plan.points.points[per_row * static_cast<std::size_t>(r)].scenario;
    q.emplace_back(metric_info().size(), f(s));
  }
  return q;
}

// merchants.patience_months over 2:6 on the 4-level grid (2, 3.33, 4.67, 6)
// runs as 2, 3, 5, 6: every step is 3 months, 0.75 of the range, not the
// grid's 2/3. For a quantity linear in the values as run (1,000 per month,
// 50 per unit of jump loss) every elementary effect is the slope times the
// range: 4,000 and 20, with sigma 0. Divided by the grid's step, the
// patience effects came out 4,500.
TEST(SensitivityResults, MorrisOfAnIntegerKeyUsesTheStepsAsRun) {
  const SensitivityPlan plan =
      plan_sensitivity(test::bundled("open_links.yaml"), {},
                       {"merchants.patience_months=2:6", "conversion.jump_loss=0.2:0.6"});
  ASSERT_EQ(plan.method, "morris");
  std::set<int> run;
  for (const auto& p : plan.points.points) run.insert(p.scenario.merchants.patience_months);
  EXPECT_EQ(run, (std::set<int>{2, 3, 5, 6}));

  SensitivityResult r;
  r.plan = plan;
  r.quantity = quantity(plan, [](const Scenario& s) {
    return 1000.0 * s.merchants.patience_months + 50.0 * s.conversion.jump_loss;
  });
  detail::analyse_sensitivity(r);
  EXPECT_EQ(r.skipped, (std::vector<int>{0, 0}));
  ASSERT_EQ(r.metrics.size(), headline_indices().size());
  for (const auto& m : r.metrics) {
    ASSERT_TRUE(m.defined) << m.metric;
    const auto& patience = m.factors[0];  // mu_star, mu, sigma
    EXPECT_NEAR(patience[0].estimate, 4000.0, 1e-6) << m.metric;
    EXPECT_NEAR(std::fabs(patience[1].estimate), 4000.0, 1e-6) << m.metric;
    EXPECT_NEAR(patience[2].estimate, 0.0, 1e-6) << m.metric;
    EXPECT_NEAR(patience[0].lo, 4000.0, 1e-6) << m.metric;
    EXPECT_NEAR(patience[0].hi, 4000.0, 1e-6) << m.metric;
    EXPECT_NEAR(m.factors[1][0].estimate, 20.0, 1e-6) << m.metric;
    EXPECT_NEAR(m.factors[1][2].estimate, 0.0, 1e-6) << m.metric;
    EXPECT_EQ(m.ranking, (std::vector<int>{0, 1}));
  }
  // The design as run: the rounded values scaled to the range.
  const Eigen::MatrixXd x = detail::design_as_run(plan);
  for (int row = 0; row < plan.rows; ++row) {
    const double months =
        plan.points.points[static_cast<std::size_t>(row)].scenario.merchants.patience_months;
    EXPECT_EQ(x(row, 0), (months - 2) / 4) << row;
  }
}

}  // namespace
}  // namespace linksim
