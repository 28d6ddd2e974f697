// The indices of `linksim sensitivity` from given quantities, without running
// the model: Morris effects divided by the steps as run (integer keys
// rounded), not by the grid's; the sign of a paired difference over the
// design, and which factor flips it, in sensitivity.json and the table.
#include "analysis/sensitivity_results.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
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

  SensitivityResult r{plan,
                      quantity(plan,
                               [](const Scenario& s) {
                                 return 1000.0 * s.merchants.patience_months +
                                        50.0 * s.conversion.jump_loss;
                               }),
                      {},
                      {},
                      0};
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

// A difference that is negative exactly where the jump loss is below 0.4
// (the grid's lower half, 0.2 and 0.33) and that the take rate moves by less
// than a grid step: the jump loss flips it, the take rate does not. Every
// figure is checked against one computed here from the scenarios as run.
TEST(SensitivityResults, TheDifferenceFlipsWithOneFactorAndTheFilesSaySo) {
  const SensitivityPlan plan =
      plan_sensitivity(test::bundled("closed_loop.yaml"), {},
                       {"conversion.jump_loss=0.2:0.6", "platform.store_take_rate=0.03:0.07"},
                       test::bundled("open_links.yaml"));
  const auto difference = [](const Scenario& s) {
    return 100 * (s.conversion.jump_loss - 0.4) + 50 * (s.platform.store_take_rate - 0.05);
  };
  SensitivityResult r{plan, quantity(plan, difference), {}, {}, 0};
  detail::analyse_sensitivity(r);

  // Independently: the shares of negative rows and the halves' means.
  int negative = 0;
  double lower[2] = {0, 0}, upper[2] = {0, 0};
  int lower_n[2] = {0, 0}, upper_n[2] = {0, 0};
  double lowest = INFINITY, highest = -INFINITY;
  for (int row = 0; row < plan.rows; ++row) {
    const Scenario& s = plan.points.points[2 * static_cast<std::size_t>(row)].scenario;
    const double y = difference(s);
    negative += y < 0;
    lowest = std::min(lowest, y);
    highest = std::max(highest, y);
    const double x[2] = {s.conversion.jump_loss, s.platform.store_take_rate};
    const double middle[2] = {0.4, 0.05};
    for (int f = 0; f < 2; ++f) {
      if (x[f] < middle[f] - 1e-12) {
        lower[f] += y;
        ++lower_n[f];
      } else if (x[f] > middle[f] + 1e-12) {
        upper[f] += y;
        ++upper_n[f];
      }
    }
  }
  ASSERT_GT(negative, 0);
  ASSERT_LT(negative, plan.rows);
  const auto& gmv = r.metrics[0];
  ASSERT_EQ(gmv.metric, "gmv");
  EXPECT_EQ(gmv.sign.negative, static_cast<double>(negative) / plan.rows);
  EXPECT_EQ(gmv.sign.positive, 1 - static_cast<double>(negative) / plan.rows);
  EXPECT_DOUBLE_EQ(gmv.sign.min, lowest);
  EXPECT_DOUBLE_EQ(gmv.sign.max, highest);
  for (int f = 0; f < 2; ++f) {
    EXPECT_EQ(gmv.sign.lower_rows[f], lower_n[f]) << f;
    EXPECT_EQ(gmv.sign.upper_rows[f], upper_n[f]) << f;
    EXPECT_NEAR(gmv.sign.lower[f], lower[f] / lower_n[f], 1e-9) << f;
    EXPECT_NEAR(gmv.sign.upper[f], upper[f] / upper_n[f], 1e-9) << f;
  }
  EXPECT_LT(gmv.sign.lower[0], 0.0);
  EXPECT_GT(gmv.sign.upper[0], 0.0);
  EXPECT_TRUE(gmv.sign.flips[0]);
  EXPECT_EQ(gmv.sign.flips[1], (lower[1] < 0) != (upper[1] < 0));

  // The table says it in words; sensitivity.json has the figures.
  const std::string table = sensitivity_table(r);
  char share[64];
  std::snprintf(share, sizeof share, "negative in %.0f%% of the design rows",
                100.0 * negative / plan.rows);
  EXPECT_NE(table.find(std::string("flips: the difference is ") + share), std::string::npos)
      << table;
  EXPECT_NE(table.find("conversion.jump_loss"), std::string::npos);
  EXPECT_NE(table.find("(flips)"), std::string::npos) << table;
  const auto dir = test::temp_path("sens_flips");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  detail::write_sensitivity(r, dir);
  const auto json = nlohmann::json::parse(test::read_file(dir / "sensitivity.json"));
  const auto& sign = json["results"]["gmv"]["sign"];
  EXPECT_EQ(sign["rows"], plan.rows);
  EXPECT_EQ(sign["negative_share"].get<double>(), gmv.sign.negative);
  EXPECT_EQ(sign["min"].get<double>(), gmv.sign.min);
  EXPECT_EQ(sign["halves"]["conversion.jump_loss"]["flips"], true);
  EXPECT_EQ(sign["halves"]["conversion.jump_loss"]["lower"].get<double>(), gmv.sign.lower[0]);
  EXPECT_EQ(sign["halves"]["platform.store_take_rate"]["flips"], gmv.sign.flips[1]);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linksim
