// `linksim calibrate --method abc-smc` and `linksim forecast` as a user runs
// them: a calibration killed (SIGKILL) inside the prior's generation, between
// generations and inside a later one resumes to the same posterior files;
// bad input is reported where it was written before anything runs; a
// forecast is the same on any thread count, and a scenario compared with
// itself differs by exactly 0 (same draws, same seeds).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

// A small world of platform.yaml (model v2) over 4 months, and its target:
// monthly GMV, growth and the store's share (values near the world's own).
const std::vector<std::string> world = {
    "--set", "population.buyers=3000",  "--set", "buyers.arrivals.per_day=6",
    "--set", "population.merchants=80", "--set", "population.streamers=20",
    "--set", "calendar.days=120",       "--set", "calendar.warmup_days=10"};

fs::path target_file() {
  const fs::path p = test::temp_path("linksim_abc_target.csv");
  std::ofstream(p) << "period,metric,value,unit\n"
                      "2022-01,gmv,200000,RMB\n"
                      "2022-02,gmv,210000,RMB\n"
                      "2022-03,gmv_growth,3,percent\n"
                      "2022-04,in_store_share,0.97,fraction\n";
  return p;
}

std::vector<std::string> calibrate_args(const fs::path& out, int threads) {
  std::vector<std::string> a = {"calibrate", test::bundled("open_links.yaml")};
  a.insert(a.end(), world.begin(), world.end());
  for (const std::string& s :
       std::vector<std::string>{"--target", target_file().string(), "--method", "abc-smc", "--free",
                                "buyers.session_rate=0.2:0.5", "--free",
                                "merchants.exit_hazard_monthly=0.005:0.1:log_uniform",
                                "--particles", "20", "--generations", "3", "--threads",
                                std::to_string(threads), "--out", out.string(), "--quiet"}) {
    a.push_back(s);
  }
  return a;
}

std::string joined(const std::vector<std::string>& a) {
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : " ") + x;
  return s;
}

int journal_lines(const fs::path& out) {
  const std::string text = test::read_file(out / "abc_journal.csv");
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

const char* const posterior_files[] = {"posterior.csv", "abc_particles.csv", "abc_generations.csv",
                                       "abc_fit.csv", "calibrated.yaml"};

class AbcResume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reference_ = new fs::path(test::temp_path("linksim_abc_reference"));
    fs::remove_all(*reference_);
    const test::Output o = test::linksim(joined(calibrate_args(*reference_, 2)));
    ASSERT_EQ(o.code, 0) << o.text;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*reference_);
    delete reference_;
  }
  static fs::path* reference_;
};
fs::path* AbcResume::reference_ = nullptr;

// Kills the calibration once its journal holds `lines` lines (header
// included), then runs it again to the end on another thread count.
void kill_and_resume(const fs::path& reference, int lines, const char* name) {
  const fs::path out = test::temp_path(name);
  fs::remove_all(out);
  const pid_t pid = test::start_linksim(calibrate_args(out, 2));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (std::chrono::steady_clock::now() < deadline &&
         (!fs::exists(out / "abc_journal.csv") || journal_lines(out) < lines)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the calibration finished before the kill";
  EXPECT_FALSE(fs::exists(out / "posterior.json"));
  const test::Output again = test::linksim(joined(calibrate_args(out, 1)));
  ASSERT_EQ(again.code, 0) << again.text;
  EXPECT_NE(again.text.find("from the journal"), std::string::npos) << again.text;
  for (const char* f : posterior_files) {
    EXPECT_EQ(test::read_file(out / f), test::read_file(reference / f)) << f;
  }
  fs::remove_all(out);
}

// 20 particles: the prior's generation is lines 2 to 21.
TEST_F(AbcResume, KilledInsideThePriorsGeneration) {
  kill_and_resume(*reference_, 8, "linksim_abc_k1");
}
TEST_F(AbcResume, KilledBetweenGenerations) { kill_and_resume(*reference_, 21, "linksim_abc_k2"); }
TEST_F(AbcResume, KilledInsideALaterGeneration) {
  kill_and_resume(*reference_, 34, "linksim_abc_k3");
}

TEST_F(AbcResume, PosteriorFilesSayWhatTheyHold) {
  const auto j = nlohmann::json::parse(test::read_file(*reference_ / "posterior.json"));
  EXPECT_EQ(j["kind"], "posterior");
  EXPECT_EQ(j["keys"].size(), 2u);
  EXPECT_EQ(j["keys"][1]["prior"], "log_uniform");
  EXPECT_EQ(j["particles"]["values"].size(), 20u);
  double total = 0;
  for (double w : j["particles"]["weights"]) total += w;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(j["correlation"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["correlation"][0][0].get<double>(), 1.0);
  for (const auto& k : j["keys"]) {
    EXPECT_LE(k["q05"].get<double>(), k["median"].get<double>());
    EXPECT_LE(k["median"].get<double>(), k["q95"].get<double>());
    EXPECT_GE(k["q05"].get<double>(), k["from"].get<double>());
    EXPECT_LE(k["q95"].get<double>(), k["to"].get<double>());
  }
  EXPECT_EQ(test::read_file(*reference_ / "abc_generations.csv").substr(0, 61),
            "generation,epsilon,attempts,simulated,accepted,acceptance,ess");
}

// The same posterior drives forecasts: the same files on 1 and 2 threads, and
// a scenario against itself differs by exactly 0 in every quarter.
TEST_F(AbcResume, ForecastIsReproducibleAndPaired) {
  const fs::path a = test::temp_path("linksim_fc_a"), b = test::temp_path("linksim_fc_b");
  const std::string common = "forecast " + test::bundled("open_links.yaml") + " " + joined(world) +
                             " --posterior " + (*reference_ / "posterior.json").string() +
                             " --draws 6 -q";
  const test::Output one = test::linksim(common + " --threads 1 --out " + a.string());
  ASSERT_EQ(one.code, 0) << one.text;
  const test::Output two = test::linksim(common + " --threads 2 --out " + b.string() +
                                         " --compare " + test::bundled("open_links.yaml"));
  ASSERT_EQ(two.code, 0) << two.text;
  for (const char* f : {"quarterly.csv", "yearly.csv", "forecast_draws.csv"}) {
    if (std::string(f) == "yearly.csv") continue;  // b's holds the comparison's rows too
    EXPECT_EQ(test::read_file(a / f), test::read_file(b / f)) << f;
  }
  EXPECT_EQ(test::read_file(b / "quarterly.csv"), test::read_file(b / "quarterly_compare.csv"));
  const std::string diff = test::read_file(b / "quarterly_difference.csv");
  std::istringstream lines(diff);
  std::string line;
  std::getline(lines, line);  // header
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::istringstream cells(line.substr(line.find(',') + 1));
    std::string cell;
    while (std::getline(cells, cell, ',')) {
      if (!cell.empty()) {
        EXPECT_EQ(std::stod(cell), 0.0) << line;
      }
    }
  }
  EXPECT_EQ(rows, 2);  // 2022-Q1 and the part of Q2 in 120 days

  // A whole year against itself: its difference is 0 in every draw, so it
  // moves with no key (no correlation, not a rounding error's).
  const test::Output year =
      test::linksim(common + " --set calendar.days=365 --threads 2 --out " + b.string() +
                    " --compare " + test::bundled("open_links.yaml"));
  ASSERT_EQ(year.code, 0) << year.text;
  const auto j = nlohmann::json::parse(test::read_file(b / "forecast.json"));
  ASSERT_EQ(j["yearly"].size(), 1u);
  EXPECT_EQ(j["yearly"][0]["difference"]["gmv_platform"]["median"], 0.0);
  for (const auto& [key, rho] : j["yearly"][0]["difference_rank_correlation"].items()) {
    EXPECT_TRUE(rho.is_null()) << key << " " << rho;
  }
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(AbcInput, BadInputIsReportedBeforeAnythingRuns) {
  const fs::path target = test::temp_path("linksim_abc_bad.csv");
  std::ofstream(target) << "period,metric,value\n2023-05,gmv,1\n2022-02,gmv_growht_yoy,1\n";
  const std::string scenario = test::bundled("open_links.yaml");
  const test::Output o =
      test::linksim("calibrate " + scenario + " " + joined(world) + " --target " + target.string() +
                    " --method abc-smc --free buyers.session_rate=0.2:0.5 -q");
  EXPECT_EQ(o.code, 2) << o.text;
  for (const std::string& line :
       {target.string() + ":2:1: period: '2023-05' is outside the horizon",
        target.string() + ":3:9: metric: unknown metric 'gmv_growht_yoy'"}) {
    EXPECT_NE(o.text.find(line), std::string::npos) << line << "\n" << o.text;
  }
  // A range its key cannot take, and a log-uniform prior from 0.
  std::ofstream(target) << "period,metric,value\n2022-02,gmv,1\n";
  const test::Output range =
      test::linksim("calibrate " + scenario + " " + joined(world) + " --target " + target.string() +
                    " --method abc-smc --free buyers.intent_share=0.2:1.5 --free "
                    "merchants.exit_hazard_monthly=0:0.1:log_uniform --free "
                    "buyers.session_rate=0.1:1:lognormal -q");
  EXPECT_EQ(range.code, 2) << range.text;
  for (const std::string line :
       {"--free buyers.intent_share=0.2:1.5:1:25: buyers.intent_share: out of range (expected a "
        "value in [0, 1], got 1.5)",
        "calibration.free[1].from: a log_uniform prior needs from > 0, got 0",
        "calibration.free[2].prior: expected uniform or log_uniform, got 'lognormal'"}) {
    EXPECT_NE(range.text.find(line), std::string::npos) << line << "\n" << range.text;
  }
  // YoY growth needs the year before inside the horizon.
  std::ofstream(target) << "period,metric,value\n2022-Q1,gmv_growth_yoy,0.3\n";
  const test::Output yoy =
      test::linksim("calibrate " + scenario + " " + joined(world) + " --target " + target.string() +
                    " --method abc-smc --free buyers.session_rate=0.2:0.5 -q");
  EXPECT_EQ(yoy.code, 2) << yoy.text;
  EXPECT_NE(yoy.text.find(target.string() +
                          ":2:1: period: gmv_growth_yoy of '2022-Q1' needs the same period a "
                          "year before wholly inside the horizon"),
            std::string::npos)
      << yoy.text;
  fs::remove(target);
}

TEST(AbcInput, APosteriorOfAnotherScenarioIsRefused) {
  const fs::path dir = test::temp_path("linksim_abc_other");
  fs::create_directories(dir);
  const fs::path posterior = dir / "posterior.json";
  std::ofstream(posterior) << R"({
  "kind": "posterior",
  "scenario": {
    "name": "closed_loop"
  },
  "keys": [{"key": "buyers.session_rate", "prior": "uniform", "from": 0.2, "to": 0.5}],
  "particles": {"values": [[0.3], [0.4]], "weights": [0.5, 0.5]}
}
)";
  const test::Output o = test::linksim("forecast " + test::bundled("open_links.yaml") +
                                       " --posterior " + posterior.string() + " -q");
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find(posterior.string() +
                        ":4:1: posterior: fitted on scenario 'closed_loop' (expected a posterior "
                        "of 'open_links'"),
            std::string::npos)
      << o.text;
  std::ofstream(posterior) << "{\"kind\": \"posterior\",\n \"scenario\": [}\n";
  const test::Output bad = test::linksim("forecast " + test::bundled("open_links.yaml") +
                                         " --posterior " + posterior.string() + " -q");
  EXPECT_EQ(bad.code, 2) << bad.text;
  EXPECT_NE(bad.text.find(posterior.string() + ":2:"), std::string::npos) << bad.text;
  std::ofstream(dir / "run.json") << "{\"kind\": \"run\"}";
  const test::Output other = test::linksim("forecast " + test::bundled("open_links.yaml") +
                                           " --posterior " + (dir / "run.json").string() + " -q");
  EXPECT_EQ(other.code, 2) << other.text;
  EXPECT_NE(other.text.find("expected posterior.json of `linksim calibrate --method abc-smc`"),
            std::string::npos)
      << other.text;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linksim
