// Simulation-based calibration of `calibrate --method abc-smc` on linksim
// itself (docs/validation.md): in each trial the true values are drawn from
// the prior, one replication of a small world at them (its own seed) is the
// "observed" series, and the posterior's 90% interval of each key is checked
// for the truth. Too slow for CI (20 to 45 s a trial on 2 cores), so it is
// disabled; run it with
//   build/release/tests/abc_sbc_test --gtest_also_run_disabled_tests
// (LINKSIM_SBC_TRIALS, default 40; LINKSIM_SBC_OUT, a CSV of the trials).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "linksim/analysis.hpp"
#include "rng.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

TEST(AbcSbc, DISABLED_SmallWorldCoverage) {
  const char* env = std::getenv("LINKSIM_SBC_TRIALS");
  const int trials = env != nullptr ? std::atoi(env) : 40;
  const std::vector<std::string> world = {"population.buyers=3000",  "buyers.arrivals.per_day=6",
                                          "population.merchants=80", "population.streamers=20",
                                          "calendar.days=120",       "calendar.warmup_days=30"};
  const std::string scenario = test::bundled("open_links.yaml");
  const fs::path dir = test::temp_path("linksim_sbc");
  std::ofstream log(std::getenv("LINKSIM_SBC_OUT") != nullptr ? std::getenv("LINKSIM_SBC_OUT")
                                                              : "/dev/null");
  log << "trial,key,truth,q05,median,q95,covered\n";
  int covered[2] = {0, 0};
  for (int t = 0; t < trials; ++t) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    // The truth from the prior: session rate uniform, exit hazard log-uniform.
    detail::Stream rng(2026, static_cast<std::uint64_t>(t));
    const double rate = 0.2 + 0.3 * rng.uniform();
    const double hazard = std::exp(std::log(0.005) + rng.uniform() * std::log(0.1 / 0.005));
    std::vector<std::string> sets = world;
    sets.push_back("buyers.session_rate=" + factor_value(rate));
    sets.push_back("merchants.exit_hazard_monthly=" + factor_value(hazard));
    sets.push_back("replications=1");
    sets.push_back("seed=" + std::to_string(5000 + t));
    RunOptions two;
    two.threads = 2;
    const RunResult truth = run(load_scenario(scenario, sets), two);
    std::string csv = "period,metric,value\n";
    for (std::size_t m = 0; m < truth.months.size(); ++m) {
      for (const char* metric : {"gmv", "active_merchants"}) {
        int c = 0;
        while (monthly_info()[c].name != metric) ++c;
        csv += truth.months[m] + "," + metric + "," +
               factor_value(truth.monthly_mean(static_cast<Eigen::Index>(m), c)) + "\n";
      }
    }
    std::ofstream(dir / "target.csv") << csv;
    std::vector<std::string> cal = world;
    cal.push_back("calibration.method=abc-smc");
    cal.push_back("calibration.particles=100");
    cal.push_back("calibration.generations=5");
    cal.push_back("seed=" + std::to_string(9000 + t));
    const CalibrationPlan plan = plan_calibration(
        scenario, cal,
        {"buyers.session_rate=0.2:0.5", "merchants.exit_hazard_monthly=0.005:0.1:log_uniform"},
        dir / "target.csv");
    const AbcResult r = run_abc(plan, dir / "out", two);
    const double values[2] = {rate, hazard};
    for (int k = 0; k < 2; ++k) {
      const auto& key = r.keys[k];
      const bool in = values[k] >= key.q05 && values[k] <= key.q95;
      covered[k] += in;
      log << t << "," << key.key << "," << values[k] << "," << key.q05 << "," << key.median << ","
          << key.q95 << "," << in << "\n";
    }
    std::printf("trial %d: covered %d and %d of %d\n", t, covered[0], covered[1], t + 1);
    std::fflush(stdout);
  }
  fs::remove_all(dir);
  RecordProperty("covered_session_rate", covered[0]);
  RecordProperty("covered_exit_hazard", covered[1]);
  // About 90%: within 2.5 binomial standard deviations.
  const double sd = std::sqrt(trials * 0.9 * 0.1);
  for (int k = 0; k < 2; ++k) {
    EXPECT_NEAR(covered[k], 0.9 * trials, 2.5 * sd) << k;
  }
}

}  // namespace
}  // namespace linksim
