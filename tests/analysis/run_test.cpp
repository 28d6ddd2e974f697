// `linksim sensitivity` on the model: a key no headline metric depends on gets
// indices of exactly 0 with both methods (every point shares its random
// streams, so nothing else moves), a key that drives demand ranks first;
// --compare analyses OTHER - SCENARIO; results do not depend on the thread
// count; an analysis resumes from its records; bad factors are reported where
// they were written.
//
// Every numeric scenario key is read somewhere in the simulation, so the null
// key is reports.richness_min_listings: record_day reads it every day, but
// only for the rich_categories series, which no headline metric uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "linksim/analysis.hpp"
#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> small = test::small_sets(60);

RunOptions quiet(int threads) {
  RunOptions o;
  o.threads = threads;
  return o;
}

// A --compare plan, open_links - closed_loop, on the small world with
// `settings` after it and `vary` as its factors; and the overrides it was
// planned with.
struct ComparePlan {
  std::vector<std::string> sets;
  SensitivityPlan plan;
};
ComparePlan plan_compare(const std::vector<std::string>& settings,
                         const std::vector<std::string>& vary) {
  std::vector<std::string> sets = small;
  sets.insert(sets.end(), settings.begin(), settings.end());
  SensitivityPlan plan = plan_sensitivity(test::bundled("closed_loop.yaml"), sets, vary,
                                          test::bundled("open_links.yaml"));
  return {std::move(sets), std::move(plan)};
}

TEST(Sensitivity, KeyNoHeadlineMetricUsesIsExactlyZeroAndTheDriverRanksFirst) {
  const auto dir = test::temp_path("sens_morris");
  fs::remove_all(dir);
  const SensitivityPlan plan =
      plan_sensitivity(test::bundled("open_links.yaml"), small,
                       {"reports.richness_min_listings=1:10", "buyers.session_rate=0.2:0.4",
                        "conversion.jump_loss=0.2:0.6"});
  EXPECT_EQ(plan.method, "morris");
  EXPECT_EQ(plan.rows, 10 * 4);  // 10 trajectories of k + 1 rows
  const SensitivityResult r = run_sensitivity(plan, dir, quiet(2));
  ASSERT_EQ(r.metrics.size(), headline_indices().size());
  for (const auto& m : r.metrics) {
    if (!m.defined) continue;
    for (const auto& i : m.factors[0]) EXPECT_EQ(i.estimate, 0.0) << m.metric << " " << i.name;
  }
  const auto& gmv = r.metrics[0];
  ASSERT_EQ(gmv.metric, "gmv");
  EXPECT_EQ(gmv.ranking.front(), 1) << "session rate drives GMV";
  EXPECT_EQ(gmv.ranking.back(), 0);
  EXPECT_GT(gmv.factors[1][0].lo, 0.0);  // mu* interval excludes 0
  // Integer keys take whole values.
  for (const auto& p : plan.points.points) {
    EXPECT_EQ(p.values[0].find('.'), std::string::npos) << p.values[0];
  }
  const auto json = nlohmann::json::parse(test::read_file(dir / "sensitivity.json"));
  EXPECT_EQ(json["status"], "complete");
  EXPECT_EQ(json["results"]["gmv"]["ranking"][0], "buyers.session_rate");
  fs::remove_all(dir);
}

// The same null check with Sobol' indices: A_B^i differs from A only in the
// null key, so f_ABi = f_A and both indices (and their intervals) are 0.
TEST(Sensitivity, SobolOfAKeyNoHeadlineMetricUsesIsExactlyZero) {
  const auto dir = test::temp_path("sens_sobol_null");
  fs::remove_all(dir);
  auto sets = small;
  sets.push_back("sensitivity.method=sobol");
  sets.push_back("sensitivity.samples=4");
  const SensitivityPlan plan =
      plan_sensitivity(test::bundled("open_links.yaml"), sets,
                       {"reports.richness_min_listings=1:10", "buyers.session_rate=0.2:0.4",
                        "conversion.jump_loss=0.2:0.6"});
  EXPECT_EQ(plan.rows, 4 * (3 + 2));
  const SensitivityResult r = run_sensitivity(plan, dir, quiet(2));
  int checked = 0;
  for (const auto& m : r.metrics) {
    if (!m.defined) continue;
    ++checked;
    for (const auto& i : m.factors[0]) {
      EXPECT_EQ(i.estimate, 0.0) << m.metric << " " << i.name;
      EXPECT_EQ(i.lo, 0.0) << m.metric << " " << i.name;
      EXPECT_EQ(i.hi, 0.0) << m.metric << " " << i.name;
    }
  }
  EXPECT_GE(checked, 3);
  const auto& gmv = r.metrics[0];
  ASSERT_EQ(gmv.metric, "gmv");
  EXPECT_GT(gmv.variance, 0.0);
  EXPECT_EQ(gmv.ranking.front(), 1) << "session rate drives GMV";
  EXPECT_GT(gmv.factors[1][0].estimate, 0.5);  // its total index
  fs::remove_all(dir);
}

// --compare analyses OTHER - SCENARIO: a row's quantity is the difference of
// the two scenarios run on their own with the row's values, the scenario's
// seed and replications (a sign error fails).
TEST(Sensitivity, CompareAnalysesOtherMinusScenario) {
  const auto dir = test::temp_path("sens_direction");
  fs::remove_all(dir);
  const std::vector<std::string> vary = {"conversion.jump_loss=0.2:0.6",
                                         "merchants.patience_months=2:6"};
  const auto [sets, plan] = plan_compare({"sensitivity.samples=2"}, vary);
  const SensitivityResult r = run_sensitivity(plan, dir, quiet(2));
  const int row = 4;
  auto at_row = sets;
  at_row.push_back("seed=" + std::to_string(plan.base.seed));
  for (std::size_t f = 0; f < vary.size(); ++f) {
    at_row.push_back(plan.factors[f].key + "=" + plan.points.points[2 * row].values[f]);
  }
  const RunResult closed = run(load_scenario(test::bundled("closed_loop.yaml"), at_row), quiet(2));
  const RunResult open = run(load_scenario(test::bundled("open_links.yaml"), at_row), quiet(2));
  ASSERT_EQ(open.scenario.seed, closed.scenario.seed);
  ASSERT_EQ(open.scenario.replications, closed.scenario.replications);
  int checked = 0;
  for (int m : headline_indices()) {
    const double expected = open.metrics[m].mean - closed.metrics[m].mean;
    if (std::isnan(expected)) continue;
    ++checked;
    const double scale = std::max(std::fabs(closed.metrics[m].mean), 1.0);
    EXPECT_NEAR(r.quantity[row][m], expected, 1e-9 * scale) << metric_info()[m].name;
  }
  EXPECT_GE(checked, 3);
  const int gmv = headline_indices().front();
  EXPECT_NE(open.metrics[gmv].mean, closed.metrics[gmv].mean);  // the sign is tested
  fs::remove_all(dir);
}

TEST(Sensitivity, SobolOfTheDifferenceIsThreadIndependentAndResumes) {
  const auto a = test::temp_path("sens_sobol_a");
  const auto b = test::temp_path("sens_sobol_b");
  fs::remove_all(a);
  fs::remove_all(b);
  const std::vector<std::string> vary = {"conversion.jump_loss=0.2:0.6",
                                         "buyers.app_share.taobao=0.3:0.7"};
  const std::vector<std::string> sobol = {"sensitivity.method=sobol", "sensitivity.samples=4"};
  const SensitivityPlan plan = plan_compare(sobol, vary).plan;
  EXPECT_EQ(plan.rows, 4 * (2 + 2));
  ASSERT_EQ(plan.points.points.size(), 2u * plan.rows);  // each row: closed, then open
  EXPECT_EQ(plan.points.points[1].scenario.seed, plan.points.points[0].scenario.seed);
  EXPECT_EQ(plan.points.points[1].scenario.name, "open_links");
  run_sensitivity(plan, a, quiet(1));
  run_sensitivity(plan, b, quiet(2));
  for (const char* f : {"sensitivity.csv", "sensitivity_design.csv", "sensitivity.json"}) {
    EXPECT_EQ(test::read_file(a / f), test::read_file(b / f)) << f;
  }
  // A lost record and a damaged one are run again; the files come out the same.
  const std::string before = test::read_file(a / "sensitivity.csv");
  fs::remove(a / "points" / "000003.json");
  {
    std::ofstream damaged(a / "points" / "000005.json");
    damaged << "{\"payload\": ";
  }
  const SensitivityResult again = run_sensitivity(plan, a, quiet(2));
  EXPECT_EQ(test::read_file(a / "sensitivity.csv"), before);
  // Another analysis in the same folder is refused.
  auto other = sobol;
  other.push_back("sensitivity.samples=8");
  EXPECT_THROW(run_sensitivity(plan_compare(other, vary).plan, a, quiet(2)), SweepMismatch);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Sensitivity, BadFactorsAreReportedWhereTheyWereWritten) {
  try {
    plan_sensitivity(test::bundled("open_links.yaml"), {"sensitivity.method=sobl"},
                     {"conversion.jump_los=0.2:0.6", "buyers.session_rate=0.4", "name=1:2",
                      "conversion.jump_loss=0.5:0.1"});
    FAIL() << "expected problems";
  } catch (const ScenarioError& e) {
    const auto& p = e.problems();
    const auto has = [&](const std::string& text) {
      return std::any_of(p.begin(), p.end(),
                         [&](const std::string& s) { return s.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(
        has("--set sensitivity.method=sobl:1:20: sensitivity.method: expected morris or "
            "sobol, got 'sobl'"));
    EXPECT_TRUE(
        has("--vary conversion.jump_los=0.2:0.6:1:12: conversion.jump_los: unknown key "
            "(did you mean 'jump_loss'?)"));
    EXPECT_TRUE(has("--vary buyers.session_rate=0.4:1:1: expected KEY=FROM:TO"));
    EXPECT_TRUE(has("expected a numeric key, got 'name' (a string)"));
    EXPECT_TRUE(has("expected a range with from < to, got 0.5 to 0.1"));
  }
  EXPECT_THROW(plan_sensitivity(test::bundled("open_links.yaml"), {}, {}), ScenarioError);
}

}  // namespace
}  // namespace linksim
