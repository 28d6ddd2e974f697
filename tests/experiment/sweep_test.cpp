// Sweeps: the grid, the sweep block's validation, and resuming. An
// interrupted sweep (SIGINT, SIGTERM or SIGKILL), run again with the same
// arguments, ends with the same files as an uninterrupted one; a folder of
// another sweep is refused; a damaged record of a finished point is run again.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "experiment/points.hpp"
#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using test::linksim;
using test::Output;

TEST(Sweep, EvenlySpacedGridReadsAsWritten) {
  SweepAxis a;
  a.from = 0;
  a.to = 0.15;
  a.points = 4;
  EXPECT_EQ(a.grid(), (std::vector<std::string>{"0", "0.05", "0.1", "0.15"}));
  a.values = {"x"};
  a.points = 0;
  EXPECT_EQ(a.grid(), std::vector<std::string>{"x"});
}

fs::path write_scenario(const std::string& name, const std::string& body) {
  const fs::path p = test::temp_path(name);
  std::ofstream(p) << "extends: " << (test::source_dir() / "scenarios" / "open_links.yaml").string()
                   << "\n"
                   << body;
  return p;
}

TEST(Sweep, PointsAreTheCartesianProductFirstAxisSlowest) {
  const fs::path file = write_scenario("linksim_sweep_plan.yaml",
                                       "sweep:\n"
                                       "  - { key: policy.0.taobao.fee, values: [0, 0.1] }\n"
                                       "  - { key: conversion.jump_loss, from: 0.2, to: 0.6, "
                                       "points: 3 }\n");
  const SweepPlan plan = plan_sweep(file, {}, {});
  ASSERT_EQ(plan.points.size(), 6u);
  EXPECT_EQ(plan.points[1].values, (std::vector<std::string>{"0", "0.4"}));
  EXPECT_EQ(plan.points[3].values, (std::vector<std::string>{"0.1", "0.2"}));
  EXPECT_DOUBLE_EQ(plan.points[3].scenario.policy[0].taobao.fee, 0.1);
  EXPECT_DOUBLE_EQ(plan.points[3].scenario.conversion.jump_loss, 0.2);
  EXPECT_EQ(plan.points[5].scenario.seed, plan.base.seed);  // common random numbers
  // --vary replaces the block.
  const SweepPlan varied = plan_sweep(file, {}, {"buyers.follows=1,2"});
  ASSERT_EQ(varied.points.size(), 2u);
  EXPECT_DOUBLE_EQ(varied.points[1].scenario.buyers.follows, 2);
  fs::remove(file);
}

TEST(Sweep, BadAxesAreReportedWhereTheyAreWritten) {
  const fs::path file = write_scenario("linksim_sweep_bad.yaml",
                                       "sweep:\n"
                                       "  - { key: policy.0.taobao.fee, values: [0, 2] }\n"
                                       "  - { key: conversion.jump_los, values: [0.1] }\n"
                                       "  - { key: buyers.follows, values: [1], points: 3 }\n"
                                       "  - { key: buyers.follows, valuez: [1] }\n");
  try {
    plan_sweep(file, {}, {});
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    std::string all;
    for (const auto& p : e.problems()) all += p + "\n";
    const std::string f = file.string();
    EXPECT_NE(all.find(f + ":3:45: policy[0].taobao.fee: out of range (expected a value in [0, "
                           "1], got 2)"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find(f + ":4:23: conversion.jump_los: unknown key (did you mean 'jump_loss'?)"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find(f + ":5:5: sweep[2]: expected either 'values' or 'from', 'to' and "
                           "'points', got both"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("sweep[3].valuez: unknown key (did you mean 'values'?)"), std::string::npos)
        << all;
    EXPECT_NE(all.find("sweep[3].key: key varied twice"), std::string::npos) << all;
  }
  // The same through --vary, marked with the argument.
  const Output o = linksim("validate " + file.string() +
                           " --vary policy.0.taobao.fee=0,x --vary buyers.follows=1:2:1");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.text.find("--vary policy.0.taobao.fee=0,x:1:23: policy[0].taobao.fee: expected a "
                        "number, got 'x'"),
            std::string::npos)
      << o.text;
  EXPECT_NE(o.text.find("--vary buyers.follows=1:2:1:1:20: sweep[1].points: out of range"),
            std::string::npos)
      << o.text;
  EXPECT_EQ(
      linksim("sweep " + (test::source_dir() / "scenarios" / "open_links.yaml").string()).code,
      2);  // nothing to vary
  fs::remove(file);
}

// A sweep of 12 small points, long enough (about a second) to interrupt.
std::vector<std::string> sweep_args(const fs::path& out, int threads) {
  return {"sweep",          (test::source_dir() / "scenarios" / "open_links.yaml").string(),
          "--set",          "population.buyers=20000",
          "--set",          "buyers.arrivals.per_day=40",
          "--set",          "population.merchants=300",
          "--set",          "population.streamers=100",
          "--set",          "calendar.days=90",
          "--set",          "calendar.warmup_days=30",
          "--replications", "2",
          "--vary",         "policy.0.taobao.fee=0,0.1,0.2",
          "--vary",         "conversion.jump_loss=0.2:0.8:4",
          "--threads",      std::to_string(threads),
          "--out",          out.string()};
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += " '" + a + "'";
  return out;
}

int points_done(const fs::path& out) {
  if (!fs::exists(out / "points")) return 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(out / "points")) {
    n += e.path().extension() == ".json" ? 1 : 0;
  }
  return n;
}

void expect_same_files(const fs::path& a, const fs::path& b) {
  for (const char* f : {"sweep.csv", "sweep_summary.csv", "sweep.json"}) {
    ASSERT_TRUE(fs::exists(b / f)) << f;
    EXPECT_EQ(test::read_file(a / f), test::read_file(b / f)) << f;
  }
  for (const auto& e : fs::directory_iterator(a / "points")) {
    EXPECT_EQ(test::read_file(e.path()), test::read_file(b / "points" / e.path().filename()))
        << e.path().filename();
  }
}

// The uninterrupted sweep every resume test compares with. Under ctest it
// is made once per run, by the fixture SweepResume.Reference
// (tests/CMakeLists.txt: it runs SweepReference.DISABLED_Make), in the folder
// LINKSIM_SWEEP_REFERENCE names for every test of this file; ctest runs each
// test in a process of its own, which would otherwise make it six times. Run
// by hand, without the variable, the suite makes and removes its own.
const char* reference_from_ctest() { return std::getenv("LINKSIM_SWEEP_REFERENCE"); }

void make_reference(const fs::path& dir) {
  fs::remove_all(dir);
  const Output o = linksim(joined(sweep_args(dir, 2)));
  ASSERT_EQ(o.code, 0) << o.text;
}

TEST(SweepReference, DISABLED_Make) {
  const char* dir = reference_from_ctest();
  ASSERT_NE(dir, nullptr) << "set LINKSIM_SWEEP_REFERENCE to the folder to make";
  make_reference(dir);
}

class SweepResume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (const char* dir = reference_from_ctest()) {
      reference_ = new fs::path(dir);
      ASSERT_TRUE(fs::exists(*reference_ / "sweep.csv"))
          << *reference_ << " holds no finished sweep: the fixture SweepResume.Reference makes it";
      return;
    }
    reference_ = new fs::path(test::temp_path("linksim_sweep_reference"));
    make_reference(*reference_);
  }
  static void TearDownTestSuite() {
    if (reference_from_ctest() == nullptr) fs::remove_all(*reference_);  // its own
    delete reference_;
  }
  static fs::path* reference_;
};
fs::path* SweepResume::reference_ = nullptr;

// Starts the sweep, signals it once `after` points are recorded, and checks
// how it ended; then runs it again to the end.
void interrupt_and_resume(const fs::path& reference, int sig, int after, const char* name) {
  const fs::path out = test::temp_path(name);
  fs::remove_all(out);
  const pid_t pid = test::start_linksim(sweep_args(out, 1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (points_done(out) < after && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, sig);
  const auto signalled = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double stop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  ASSERT_LT(points_done(out), 12) << "the sweep finished before the signal; make it longer";
  EXPECT_FALSE(fs::exists(out / "sweep.csv"));
  EXPECT_FALSE(fs::exists(out / "sweep_summary.csv"));
  if (sig == SIGKILL) {
    EXPECT_TRUE(WIFSIGNALED(status));
  } else {
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
    EXPECT_LT(stop_seconds, 2.0);
  }
  const int kept = points_done(out);
  EXPECT_GE(kept, after);
  const Output again = linksim(joined(sweep_args(out, 2)));
  ASSERT_EQ(again.code, 0) << again.text;
  EXPECT_NE(again.text.find("(" + std::to_string(kept) + " points read from an earlier run)"),
            std::string::npos)
      << again.text;
  expect_same_files(reference, out);
  fs::remove_all(out);
}

TEST_F(SweepResume, AfterSigint) { interrupt_and_resume(*reference_, SIGINT, 2, "linksim_sw_int"); }
TEST_F(SweepResume, AfterSigterm) {
  interrupt_and_resume(*reference_, SIGTERM, 5, "linksim_sw_term");
}
TEST_F(SweepResume, AfterSigkill) {
  interrupt_and_resume(*reference_, SIGKILL, 3, "linksim_sw_kill");
}

// SIGTERM and SIGKILL at pseudo-random moments, over and over on the same
// folder (a fixed schedule, so that a failure can be replayed), then the
// sweep run to its end: the same files as the uninterrupted run. After each
// interruption, nothing may look complete unless it is.
TEST_F(SweepResume, RepeatedKillsAtRandomMoments) {
  const fs::path out = test::temp_path("linksim_sweep_random");
  fs::remove_all(out);
  std::mt19937 schedule(20221111);
  std::uniform_int_distribution<int> delay_ms(20, 900);
  for (int round = 0; round < 8; ++round) {
    const pid_t pid = test::start_linksim(sweep_args(out, 1 + round % 2));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(schedule)));
    ::kill(pid, round % 2 == 0 ? SIGKILL : SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (fs::exists(out / "sweep.csv")) {
      const auto manifest = nlohmann::json::parse(test::read_file(out / "sweep.json"));
      EXPECT_EQ(manifest["status"], "complete") << "round " << round;
      EXPECT_EQ(points_done(out), 12) << "round " << round;
    }
  }
  const Output o = linksim(joined(sweep_args(out, 2)));
  ASSERT_EQ(o.code, 0) << o.text;
  expect_same_files(*reference_, out);
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
  fs::remove_all(out);
}

TEST_F(SweepResume, AnotherSweepInTheFolderIsRefused) {
  const fs::path out = test::temp_path("linksim_sweep_other");
  fs::remove_all(out);
  fs::copy(*reference_, out, fs::copy_options::recursive);
  auto args = sweep_args(out, 2);
  args[17] = "policy.0.taobao.fee=0,0.3";
  Output o = linksim(joined(args));
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("holds a different sweep: the axes differ"), std::string::npos) << o.text;
  args = sweep_args(out, 2);
  args[11] = "calendar.days=91";
  o = linksim(joined(args));
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("holds a different sweep: the scenario differs"), std::string::npos)
      << o.text;
  expect_same_files(*reference_, out);  // nothing touched
  fs::remove_all(out);
}

TEST_F(SweepResume, DamagedRecordIsRunAgain) {
  const fs::path out = test::temp_path("linksim_sweep_damaged");
  fs::remove_all(out);
  fs::copy(*reference_, out, fs::copy_options::recursive);
  // One record with a changed value, one cut short.
  const fs::path changed = out / "points" / "000003.json";
  std::string text = test::read_file(changed);
  const std::string first_value = "\"replications\":[{\"metrics\":[";
  const auto at = text.find(first_value) + first_value.size();
  text[at] = text[at] == '1' ? '2' : '1';
  std::ofstream(changed) << text;
  const fs::path cut = out / "points" / "000007.json";
  const std::string whole = test::read_file(cut);
  std::ofstream(cut) << whole.substr(0, whole.size() / 2);
  const Output o = linksim(joined(sweep_args(out, 2)));
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("point 3: its record"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("point 7: its record"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("(10 points read from an earlier run)"), std::string::npos) << o.text;
  expect_same_files(*reference_, out);
  fs::remove_all(out);
}

// The record points_fuzz starts from (tests/fuzz/corpus/points/point0.json,
// written by the sweep in tests/fuzz/points_fuzz.cpp) reads back as its
// point's result; each kind of damage is refused with its reason, never
// taken as a value and never thrown.
TEST(Sweep, PointRecordIsReadOnlyAsLinksimWroteIt) {
  const SweepPlan plan =
      plan_sweep(test::source_dir() / "scenarios" / "base.yaml",
                 {"population.buyers=2000", "population.merchants=50", "population.streamers=20",
                  "calendar.days=30", "calendar.warmup_days=5"},
                 {"buyers.session_rate=0.2,0.3"});
  const std::string text =
      test::read_file(test::source_dir() / "tests" / "fuzz" / "corpus" / "points" / "point0.json");
  SweepPointResult out;
  std::string why;
  ASSERT_TRUE(detail::read_point_record(plan, 0, text, out, why)) << why;
  EXPECT_EQ(out.replications.size(), static_cast<std::size_t>(plan.base.replications));
  EXPECT_FALSE(detail::read_point_record(plan, 1, text, out, why));
  EXPECT_EQ(why, "its point differs");

  const nlohmann::json record = nlohmann::json::parse(text);
  auto refused = [&](const std::function<void(nlohmann::json&)>& damage) {
    nlohmann::json payload = record["payload"];
    damage(payload);
    std::string reason;
    SweepPointResult r;
    EXPECT_FALSE(detail::parse_point_payload(plan, 0, payload, r, reason));
    return reason;
  };
  EXPECT_EQ(refused([](auto& p) { p["replications"][0]["seed"] = -1; }),
            "a replication's seed or metrics are not what linksim writes");
  EXPECT_EQ(refused([](auto& p) { p["replications"][0]["seed"] = 1e300; }),
            "a replication's seed or metrics are not what linksim writes");
  EXPECT_EQ(refused([](auto& p) { p["replications"][0]["metrics"][0] = "1"; }),
            "a replication's metric is not a number");
  EXPECT_EQ(refused([](auto& p) { p["replications"][0]["metrics"][0] = true; }),
            "a replication's metric is not a number");
  EXPECT_EQ(refused([](auto& p) { p["replications"] = "x"; }), "its replications are not a list");
  EXPECT_EQ(refused([](auto& p) { p["replications"][0]["metrics"].erase(0); }),
            "a replication has the wrong number of metrics");

  std::string latin1 = text;
  latin1.insert(latin1.find("\"gmv\"") + 1, "\xE9");  // a byte that is not UTF-8, in a string
  EXPECT_FALSE(detail::read_point_record(plan, 0, latin1, out, why));
  EXPECT_NE(why.find("unreadable"), std::string::npos) << why;
  EXPECT_FALSE(detail::read_point_record(plan, 0, text.substr(0, text.size() / 2), out, why));
  EXPECT_NE(why.find("unreadable"), std::string::npos) << why;
}

TEST(Sweep, PointMetricsAreThoseOfARunOfItsScenario) {
  const fs::path out = test::temp_path("linksim_sweep_lib");
  fs::remove_all(out);
  const SweepPlan plan = plan_sweep(test::source_dir() / "scenarios" / "open_links.yaml",
                                    test::small_sets(40, 2), {"buyers.follows=2,4"});
  const SweepResult r = run_sweep(plan, out, test::threads(2));
  const RunResult direct = run(plan.points[1].scenario, test::threads(1));
  for (std::size_t m = 0; m < metric_info().size(); ++m) {
    for (int rep = 0; rep < 2; ++rep) {
      const double a = r.points[1].replications[rep][m];
      const double b = direct.replications[rep].metrics[m];
      if (std::isnan(a) && std::isnan(b)) continue;
      EXPECT_EQ(a, b) << metric_info()[m].name;
    }
  }
  fs::remove_all(out);
}

// In a two-axis sweep each point's paired difference is to the point with the
// first axis at its first value and the second axis as at the point (the
// report charts along the first axis), not to point 0, which differs on both.
TEST(Sweep, PairedDifferenceIsAlongTheFirstAxis) {
  const fs::path out = test::temp_path("linksim_sweep_diff");
  fs::remove_all(out);
  const SweepPlan plan =
      plan_sweep(test::source_dir() / "scenarios" / "open_links.yaml", test::small_sets(40, 3),
                 {"conversion.jump_loss=0.2,0.6", "buyers.follows=2,4"});
  const SweepResult r = run_sweep(plan, out, test::threads(2));
  const auto j = nlohmann::json::parse(test::read_file(out / "sweep.json"));
  const std::vector<int> baselines{0, 1, 0, 1};
  const std::size_t gmv = 0;
  ASSERT_EQ(metric_info()[gmv].name, "gmv");
  for (std::size_t p = 0; p < 4; ++p) {
    const auto& point = j["results"][p];
    EXPECT_EQ(point["baseline_point"], baselines[p]) << p;
    std::vector<double> d;
    for (int rep = 0; rep < 3; ++rep) {
      d.push_back(r.points[p].replications[rep][gmv] -
                  r.points[static_cast<std::size_t>(baselines[p])].replications[rep][gmv]);
    }
    const Interval expected = summarize(d);
    const auto& got = point["metrics"]["gmv"]["paired_difference"];
    EXPECT_DOUBLE_EQ(got["mean"].get<double>(), expected.mean) << p;
    if (p >= 2) {
      EXPECT_DOUBLE_EQ(got["ci95_low"].get<double>(), expected.lo) << p;
      EXPECT_NE(expected.mean, 0.0) << "the jump loss moves GMV at point " << p;
    } else {
      EXPECT_EQ(expected.mean, 0.0) << "a baseline point differs from itself by nothing";
    }
  }
  EXPECT_NE(j["paired_difference"].get<std::string>().find("conversion.jump_loss"),
            std::string::npos);
  const std::string summary = test::read_file(out / "sweep_summary.csv");
  EXPECT_NE(summary.find(",baseline_point,diff_mean,"), std::string::npos);
  fs::remove_all(out);
}

}  // namespace
}  // namespace linksim
