// `linksim calibrate` on the model: known values are recovered from a
// synthetic target made by linksim itself with other random streams, also
// when the policy changes inside the horizon and the target covers only
// months after the change, and the calibrated scenario reproduces the fit
// exactly; a target out of reach, or a spent budget, is a clear "did not
// converge" with the best fit written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/calibration.hpp"
#include "analysis/target.hpp"
#include "linksim/analysis.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> world = {"population.buyers=10000",  "population.merchants=240",
                                        "population.streamers=100", "calendar.days=151",
                                        "calendar.warmup_days=30",  "replications=4"};

RunOptions threads(int n) {
  RunOptions o;
  o.threads = n;
  return o;
}

// The true values, and another seed than the calibration's.
const std::vector<std::string> truth_sets = {"buyers.session_rate=0.36",
                                             "merchants.exit_hazard_monthly=0.03", "seed=99"};

// A target of monthly GMV and active merchants from a run of `scenario` (with
// `sets`, then `values`), over the horizon's months from `first` on.
fs::path synthetic_target(const std::string& name, const std::string& scenario = "base.yaml",
                          std::vector<std::string> sets = world, std::size_t first = 0,
                          const std::vector<std::string>& values = truth_sets) {
  sets.insert(sets.end(), values.begin(), values.end());
  const RunResult truth = run(load_scenario(test::bundled(scenario), sets), threads(2));
  std::string csv = "period,metric,value\n";
  for (std::size_t m = first; m < truth.months.size(); ++m) {
    for (const char* metric : {"gmv", "active_merchants"}) {
      int c = 0;
      while (monthly_info()[c].name != metric) ++c;
      csv += truth.months[m] + "," + metric + "," +
             factor_value(truth.monthly_mean(static_cast<Eigen::Index>(m), c)) + "\n";
    }
  }
  const fs::path p = test::temp_path(name);
  std::ofstream(p) << csv;
  return p;
}

const std::vector<std::string> free_keys = {"buyers.session_rate=0.1:0.6",
                                            "merchants.exit_hazard_monthly=0:0.1"};

// Stated tolerance: within 5% of each range of the truth, which the 95%
// interval covers. The start is outside it. Every key is identified.
void expect_recovered(const CalibrationResult& result, const std::vector<double>& truth) {
  for (std::size_t k = 0; k < truth.size(); ++k) {
    const FittedKey& key = result.keys[k];
    EXPECT_NEAR(key.value, truth[k], 0.05 * (key.to - key.from)) << key.key;
    EXPECT_GT(std::abs(key.start - truth[k]), 0.05 * (key.to - key.from)) << key.key;
    EXPECT_LE(key.lo, truth[k]) << key.key;
    EXPECT_GE(key.hi, truth[k]) << key.key;
    EXPECT_TRUE(key.identified) << key.key;
  }
}

TEST(Calibrate, RecoversKnownValuesAndTheCalibratedScenarioReproducesTheFit) {
  const fs::path target = synthetic_target("cal_target.csv");
  const fs::path dir = test::temp_path("cal_fit");
  fs::remove_all(dir);
  const CalibrationPlan plan =
      plan_calibration(test::bundled("base.yaml"), world, free_keys, target);
  EXPECT_EQ(plan.start, (std::vector<double>{0.3, 0.01}));  // the scenario's values
  const CalibrationResult r = run_calibration(plan, dir, threads(2));
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_EQ(r.message.rfind("converged: ", 0), 0u) << r.message;
  expect_recovered(r, {0.36, 0.03});
  // Neither value is at a bound of its range.
  for (std::size_t k = 0; k < 2; ++k) EXPECT_FALSE(r.keys[k].at_bound) << r.keys[k].key;
  EXPECT_LT(r.rms, 0.05);
  EXPECT_LE(r.optimiser_evaluations, 100);

  const auto json = nlohmann::json::parse(test::read_file(dir / "calibration.json"));
  EXPECT_EQ(json["status"], "converged");
  EXPECT_EQ(json["free"][0]["value"], r.keys[0].value);
  EXPECT_EQ(json["fit"].size(), plan.target.size());
  EXPECT_EQ(json["trace"].size(), r.trace.size());
  EXPECT_NE(test::read_file(dir / "calibration_fit.csv").find("2022-03,gmv,fen,"),
            std::string::npos);

  // calibrated.yaml extends base.yaml with the world and the fitted values;
  // running it gives the fit's model means to the bit.
  const std::string yaml = test::read_file(dir / "calibrated.yaml");
  EXPECT_NE(yaml.find("extends: "), std::string::npos);
  EXPECT_NE(yaml.find("base.yaml"), std::string::npos);
  const Scenario calibrated = load_scenario(dir / "calibrated.yaml");
  EXPECT_EQ(calibrated.name, "base-calibrated");
  EXPECT_EQ(calibrated.buyers.session_rate, r.keys[0].value);
  const RunResult again = run(calibrated, threads(1));
  for (std::size_t i = 0; i < r.fit.size(); ++i) {
    double sum = 0;
    for (const auto& rep : again.replications) {
      sum += detail::target_values(plan.target, rep.monthly)[i];
    }
    EXPECT_EQ(sum / static_cast<double>(again.replications.size()), r.fit[i].model) << i;
  }
  fs::remove_all(dir);
  fs::remove(target);
}

// The horizon starts before a policy change and the target covers a part of
// it after the change: kuaishou_2022 closes Taobao's links and JD's live
// links on 2022-03-01, two months into a January to May horizon (its later
// entries and events, which fall outside it, are dropped; the spring lockdown
// stays), and the target is March to May only. The target is made with the
// scenario's own random streams, so the truth fits it exactly: a target read
// against the wrong months of the horizon would not recover it. The keys are
// the session rate and native merchants' entry rate (true 0.36 and 4.5 a day,
// the scenario's 0.3 and 3).
TEST(Calibrate, ATargetAfterAPolicyChangeInsideTheHorizonRecoversKnownValues) {
  auto sets = world;
  sets.push_back("buyers.arrivals.per_day=20");  // model v2's, in proportion to the buyers
  sets.push_back("calendar.days=151");
  sets.push_back(
      "policy=[{from: 2020-01-01, taobao: {live: true, video: true}, jd: {live: true, video: "
      "true}}, {from: 2022-03-01, taobao: {live: false, video: false}, jd: {live: false, video: "
      "true}}]");
  sets.push_back(
      "events=[{type: lockdown, name: spring lockdown, from: 2022-04-01, to: 2022-05-31, "
      "logistics: {store: 0.6, taobao: 0.7, jd: 0.9}, demand: 0.85}]");
  const Scenario scenario = load_scenario(test::bundled("kuaishou_2022.yaml"), sets);
  ASSERT_GE(scenario.policy.size(), 2u);
  const Date cut = scenario.policy[1].from;
  EXPECT_EQ(format_date(cut), "2022-03-01");
  EXPECT_GT(cut, scenario.calendar.start);
  EXPECT_LT(cut, scenario.calendar.start + scenario.calendar.days);

  const fs::path target =
      synthetic_target("cal_after_cut.csv", "kuaishou_2022.yaml", sets, 2,
                       {"buyers.session_rate=0.36", "merchants.entry.native_per_day=4.5"});
  const fs::path dir = test::temp_path("cal_after_cut");
  fs::remove_all(dir);
  const CalibrationPlan plan = plan_calibration(
      test::bundled("kuaishou_2022.yaml"), sets,
      {"buyers.session_rate=0.1:0.6", "merchants.entry.native_per_day=1:6"}, target);
  EXPECT_EQ(plan.start, (std::vector<double>{0.3, 3.0}));  // the scenario's values
  ASSERT_EQ(plan.target.size(), 6u);                       // 3 months x 2 metrics
  for (const auto& row : plan.target) {
    ASSERT_EQ(row.months.size(), 1u) << row.period;
    EXPECT_GE(row.months[0], 2) << row.period;  // March (horizon month 2) or later
    EXPECT_GE(row.period, "2022-03");
  }
  const CalibrationResult r = run_calibration(plan, dir, threads(2));
  EXPECT_TRUE(r.converged) << r.message;
  expect_recovered(r, {0.36, 4.5});
  EXPECT_LT(r.rms, 0.02);
  fs::remove_all(dir);
  fs::remove(target);
}

// A fit on a shorter horizon than the file's (--set calendar.days=181, January to June) with a
// free key inside a dated list (the 618 promotion's traffic): calibrated.yaml
// reproduces the fit's scenario as written, and run on the file's own horizon
// it keeps the events after the fit's horizon, with the fitted value.
TEST(Calibrate, CalibratedYamlOfAShortHorizonKeepsTheListsLaterEntries) {
  const fs::path target = test::temp_path("cal_short_target.csv");
  std::ofstream(target) << "period,metric,value\n2022-03,gmv,1e9\n";
  const fs::path dir = test::temp_path("cal_short");
  fs::create_directories(dir);
  const std::vector<std::string> sets = {"calendar.days=181", "population.scale=0.01"};
  CalibrationResult r;
  r.plan =
      plan_calibration(test::bundled("kuaishou_2022.yaml"), sets, {"events.2.traffic=1:2"}, target);
  r.keys.push_back({.key = "events.2.traffic", .from = 1, .to = 2, .value = 1.75});
  std::ofstream(dir / "calibrated.yaml") << detail::calibrated_yaml(r, dir);

  // The fit's scenario: the spring lockdown, 618 and 116 (every year); weak
  // demand and the Double 11 subsidy are clipped. calibrated.yaml is it, under
  // its own name and without the calibration's free keys.
  Scenario fitted = calibration_point(r.plan, {1.75});
  EXPECT_EQ(fitted.events.size(), 3u);
  fitted.name = "kuaishou_2022-calibrated";
  fitted.calibration.free.clear();
  EXPECT_EQ(to_yaml(load_scenario(dir / "calibrated.yaml")), to_yaml(fitted));

  const Scenario full = load_scenario(test::bundled("kuaishou_2022.yaml"));
  const Scenario longer = load_scenario(dir / "calibrated.yaml",
                                        {"calendar.days=" + std::to_string(full.calendar.days)});
  ASSERT_EQ(longer.events.size(), full.events.size());
  EXPECT_EQ(longer.events[2].name, "618");
  EXPECT_EQ(longer.events[2].traffic, 1.75);
  EXPECT_EQ(longer.events.back().name, full.events.back().name);
  fs::remove_all(dir);
  fs::remove(target);
}

TEST(Calibrate, ATargetOutOfReachDoesNotConvergeAndSaysWhy) {
  const fs::path target = test::temp_path("cal_unreachable.csv");
  std::ofstream(target) << "period,metric,value,unit\n"
                           "2022-Q1,in_store_share,50,percent\n"
                           "2022-04,in_store_share,50,percent\n";
  const fs::path dir = test::temp_path("cal_unreachable");
  fs::remove_all(dir);
  auto sets = world;
  sets.push_back("replications=2");
  sets.push_back("population.buyers=4000");
  sets.push_back("buyers.arrivals.per_day=8");
  const CalibrationPlan plan =
      plan_calibration(test::bundled("base.yaml"), sets, {"buyers.session_rate=0.1:0.6"}, target);
  const CalibrationResult r = run_calibration(plan, dir, threads(2));
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.message.rfind("did not converge: the best fit misses the target by an RMS scaled "
                            "error of ",
                            0),
            0u)
      << r.message;
  EXPECT_NE(r.message.find("in_store_share: target 50.00%, model 9"), std::string::npos)
      << r.message;
  EXPECT_GT(r.rms, 0.9);  // the store keeps ~99% of GMV whatever the session rate
  const auto json = nlohmann::json::parse(test::read_file(dir / "calibration.json"));
  EXPECT_EQ(json["status"], "not_converged");
  EXPECT_EQ(json["message"], r.message);
  EXPECT_NE(test::read_file(dir / "calibrated.yaml").find("DID NOT CONVERGE"), std::string::npos);
  fs::remove_all(dir);
  fs::remove(target);
}

TEST(Calibrate, SpentBudgetIsNotConvergenceAndTheCommandExitsWith3) {
  const fs::path target = synthetic_target("cal_budget.csv");
  const fs::path dir = test::temp_path("cal_budget");
  fs::remove_all(dir);
  std::string args = "calibrate " + test::bundled("base.yaml") + " --target " + target.string() +
                     " --evaluations 3 --bootstrap 100 --out " + dir.string() +
                     " --free buyers.session_rate=0.1:0.6 --free "
                     "merchants.exit_hazard_monthly=0:0.1 --threads 2";
  for (const auto& s : world) args += " --set " + s;
  const test::Output out = test::linksim(args);
  EXPECT_EQ(out.code, 3) << out.text;
  EXPECT_NE(out.text.find("did not converge: used all 3 evaluations"), std::string::npos)
      << out.text;
  const auto json = nlohmann::json::parse(test::read_file(dir / "calibration.json"));
  EXPECT_EQ(json["status"], "not_converged");
  EXPECT_EQ(json["evaluations"], 3);
  fs::remove_all(dir);
  fs::remove(target);
}

TEST(Calibrate, FreeKeysReplaceTheFilesAtEveryPoint) {
  // The file's own free keys are invalid (from > to); --free replaces them,
  // for the plan and for every point it runs.
  const fs::path target = test::temp_path("cal_replace.csv");
  std::ofstream(target) << "period,metric,value\n2022-03,gmv,1\n";
  auto sets = world;
  sets.push_back("calibration.free=[{key: buyers.session_rate, from: 0.5, to: 0.1}]");
  const CalibrationPlan plan =
      plan_calibration(test::bundled("base.yaml"), sets, {"buyers.session_rate=0.1:0.6"}, target);
  const Scenario s = calibration_point(plan, {0.25});
  EXPECT_EQ(s.buyers.session_rate, 0.25);
  EXPECT_EQ(s.calibration.free.size(), 1u);
  EXPECT_EQ(s.calibration.free[0].to, 0.6);
  fs::remove(target);
}

TEST(Calibrate, BadInputIsReportedWhereItWasWritten) {
  const fs::path target = test::temp_path("cal_bad.csv");
  std::ofstream(target) << "period,metric,value\n2022-03,gmv_grwth,1\n";
  const test::Output out = test::linksim(
      "calibrate " + test::bundled("base.yaml") + " --target " + target.string() +
      " --free buyers.sesion_rate=0:1 --free conversion.jump_loss=0.5 --method bobyqq -q");
  EXPECT_EQ(out.code, 2) << out.text;
  for (const char* line :
       {"--free buyers.sesion_rate=0:1:1:8: buyers.sesion_rate: unknown key (did you mean "
        "'session_rate'?)",
        "--free conversion.jump_loss=0.5:1:1: expected KEY=FROM:TO or KEY=FROM:TO:PRIOR, got "
        "'conversion.jump_loss=0.5'",
        "--set calibration.method=bobyqq:1:20: calibration.method: expected bobyqa, neldermead, "
        "sbplx or abc-smc, got 'bobyqq'"}) {
    EXPECT_NE(out.text.find(line), std::string::npos) << line << "\n" << out.text;
  }
  // The target is read against a valid scenario: its problems come next time.
  const test::Output second =
      test::linksim("calibrate " + test::bundled("base.yaml") + " --target " + target.string() +
                    " --free buyers.session_rate=0:1 -q");
  EXPECT_EQ(second.code, 2);
  EXPECT_NE(second.text.find(target.string() + ":2:9: metric: unknown metric 'gmv_grwth'"),
            std::string::npos)
      << second.text;
  // The calendar fixes the target's periods: it cannot be fitted.
  const test::Output calendar =
      test::linksim("calibrate " + test::bundled("base.yaml") + " --target " + target.string() +
                    " --free calendar.days=100:400 -q");
  EXPECT_EQ(calendar.code, 2);
  EXPECT_NE(calendar.text.find("calibration.free[0].key: the calendar fixes the target's periods "
                               "(expected a model key, got 'calendar.days')"),
            std::string::npos)
      << calendar.text;
  const test::Output nothing = test::linksim("calibrate " + test::bundled("base.yaml") + " -q");
  EXPECT_EQ(nothing.code, 2);
  EXPECT_NE(nothing.text.find("calibration: nothing to fit (expected --free KEY=FROM:TO"),
            std::string::npos)
      << nothing.text;
  EXPECT_NE(nothing.text.find("calibration: no target (expected --target OBSERVED.csv"),
            std::string::npos)
      << nothing.text;
  fs::remove(target);
}

}  // namespace
}  // namespace linksim
