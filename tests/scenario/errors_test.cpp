// One test per kind of scenario error: the exact message, with file, line,
// column and key, and every problem of a file reported at once.
#include <gtest/gtest.h>

#include <fstream>

#include "linksim/scenario.hpp"
#include "support.hpp"

namespace linksim {
namespace {

std::vector<std::string> problems(const std::string& yaml,
                                  const std::vector<std::string>& overrides = {},
                                  const std::string& file = "t.yaml") {
  try {
    load_scenario_text(yaml, file, overrides);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

std::string only(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  const auto p = problems(yaml, overrides);
  EXPECT_EQ(p.size(), 1u) << ::testing::PrintToString(p);
  return p.empty() ? "" : p.front();
}

TEST(ScenarioErrors, ValidFileHasNone) { EXPECT_TRUE(problems("name: ok\n").empty()); }

TEST(ScenarioErrors, UnknownKeySuggestsTheClosest) {
  EXPECT_EQ(only("buyers:\n  sesion_rate: 0.3\n"),
            "t.yaml:2:3: buyers.sesion_rate: unknown key (did you mean 'session_rate'?)");
}

TEST(ScenarioErrors, UnknownKeyInTheWrongPlaceNamesWhereItBelongs) {
  EXPECT_EQ(only("buyers:\n  recovery: 0.1\n"),
            "t.yaml:2:3: buyers.recovery: unknown key (did you mean 'buyers.trust.recovery'?)");
}

TEST(ScenarioErrors, UnknownTopLevelKeyListsTheKnownOnes) {
  const std::string p = only("zzzzzz: 1\n");
  EXPECT_EQ(p.rfind("t.yaml:1:1: zzzzzz: unknown key (expected one of: buyers calendar", 0), 0u)
      << p;
}

TEST(ScenarioErrors, DuplicateKeyGivesBothPositions) {
  EXPECT_EQ(only("seed: 1\nname: a\nseed: 2\n"),
            "t.yaml:3:1: seed: duplicate key (first defined at t.yaml:1:1)");
}

TEST(ScenarioErrors, WrongTypes) {
  EXPECT_EQ(only("conversion: { base: \"0.02\" }\n"),
            "t.yaml:1:21: conversion.base: expected a number, got the string \"0.02\"");
  EXPECT_EQ(only("conversion: { base: abc }\n"),
            "t.yaml:1:21: conversion.base: expected a number, got 'abc'");
  EXPECT_EQ(only("buyers: { browse_depth: 2.5 }\n"),
            "t.yaml:1:25: buyers.browse_depth: expected a whole number, got '2.5'");
  // A whole number in exponent or decimal form is one.
  EXPECT_EQ(load_scenario_text("population: { buyers: 1e5, merchants: 1200.0 }\n", "t.yaml")
                .population.buyers,
            100000);
  EXPECT_EQ(load_scenario_text("population: { merchants: 12e2 }\n", "t.yaml").population.merchants,
            1200);
  EXPECT_EQ(only("population: { buyers: 1.5e0 }\n"),
            "t.yaml:1:23: population.buyers: expected a whole number, got '1.5e0'");
  EXPECT_EQ(only("merchants: { stock: { unlimited: yes } }\n"),
            "t.yaml:1:34: merchants.stock.unlimited: expected true or false, got 'yes'");
  EXPECT_EQ(only("buyers: [1, 2]\n"), "t.yaml:1:9: buyers: expected a map of keys, got a list");
  EXPECT_EQ(only("buyers: { follows: [1] }\n"),
            "t.yaml:1:20: buyers.follows: expected a number, got a list");
  EXPECT_EQ(only("events: { a: 1 }\n"), "t.yaml:1:9: events: expected a list, got a map");
}

TEST(ScenarioErrors, NotFiniteNumbers) {
  EXPECT_EQ(only("buyers: { video_share: .nan }\n"),
            "t.yaml:1:24: buyers.video_share: expected a finite number, got '.nan'");
  EXPECT_EQ(only("buyers: { follows: .inf }\n"),
            "t.yaml:1:20: buyers.follows: expected a finite number, got '.inf'");
  EXPECT_EQ(only("buyers: { follows: 1e999 }\n"),
            "t.yaml:1:20: buyers.follows: expected a finite number, got '1e999'");
  EXPECT_EQ(only("population: { buyers: 99999999999999999999999 }\n"),
            "t.yaml:1:23: population.buyers: expected a whole number small enough to store, got "
            "'99999999999999999999999'");
}

TEST(ScenarioErrors, OutOfRange) {
  EXPECT_EQ(only("buyers: { follow_share: 1.5 }\n"),
            "t.yaml:1:25: buyers.follow_share: out of range (expected a value in [0, 1], got "
            "1.5)");
  EXPECT_EQ(only("population: { merchants: -3 }\n"),
            "t.yaml:1:26: population.merchants: out of range (expected a value in [0, inf], got "
            "-3)");
  EXPECT_EQ(only("calendar: { days: 0 }\n"),
            "t.yaml:1:19: calendar.days: out of range (expected a value in [1, 36600], got 0)");
  EXPECT_EQ(only("categories:\n  - { name: a, ref_price: -5 }\n"),
            "t.yaml:2:27: categories[0].ref_price: out of range (expected a value in (0, inf], "
            "got -5)");
}

TEST(ScenarioErrors, MalformedDate) {
  EXPECT_EQ(only("calendar: { start: 2022-02-30 }\n"),
            "t.yaml:1:20: calendar.start: expected a date YYYY-MM-DD, got '2022-02-30'");
  EXPECT_EQ(only("calendar: { start: 22-1-1 }\n"),
            "t.yaml:1:20: calendar.start: expected a date YYYY-MM-DD, got '22-1-1'");
}

// Model v2: a horizon shortened with --set keeps the scenario valid; the
// entries it leaves out are clipped, with one warning.
TEST(ScenarioErrors, EntriesOutsideTheHorizonAreClipped) {
  const std::string text =
      "calendar: { start: 2022-01-01, days: 365, warmup_days: 10 }\n"
      "policy:\n  - { from: 2020-01-01 }\n  - { from: 2022-10-28, taobao: { live: true } }\n"
      "events:\n  - { type: demand_shock, from: 2023-02-01, to: 2023-02-02, demand: 0.9 }\n"
      "  - { type: demand_shock, from: 2021-12-25, to: 2022-01-02, demand: 0.9 }\n"
      "  - { type: promotion, from: 2022-06-01, to: 2022-06-18, traffic: 2, every: year }\n";
  const Scenario whole = load_scenario_text(text, "t.yaml");
  EXPECT_EQ(whole.policy.size(), 2u);
  ASSERT_EQ(whole.events.size(), 2u);  // the one in 2023 is after the horizon
  EXPECT_EQ(whole.events[0].to, whole.calendar.start + 1);
  const Scenario short_one = load_scenario_text(text, "t.yaml", {"calendar.days=90"});
  EXPECT_EQ(short_one.policy.size(), 1u);  // the October entry is after day 90
  ASSERT_EQ(short_one.events.size(), 2u);  // the recurring one is never clipped
  EXPECT_EQ(short_one.events[1].every, "year");

  // The warning that names the entries left out is logged once per process,
  // however often the scenario is loaded (a calibration loads it at every
  // point), and again for another horizon. (The engine logs to stdout.)
  testing::internal::CaptureStdout();
  for (int i = 0; i < 3; ++i) load_scenario_text(text, "clip.yaml", {"calendar.days=90"});
  load_scenario_text(text, "clip.yaml", {"calendar.days=100"});
  const std::string said = testing::internal::GetCapturedStdout();
  const auto count = [&](const std::string& what) {
    int n = 0;
    for (auto at = said.find(what); at != std::string::npos; at = said.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("clip.yaml: 2 entries outside the horizon 2022-01-01 to 2022-03-31"), 1) << said;
  EXPECT_EQ(count("clip.yaml: 2 entries outside the horizon 2022-01-01 to 2022-04-10"), 1) << said;
}

// Buyers and streamers are indexed by 32 bits, listings by an int: a world
// beyond them is refused before anything is built, whatever population.scale
// or the arrival rates would make of it.
TEST(ScenarioErrors, WorldsBeyondTheEnginesIndicesAreRefused) {
  const auto p = problems("population: { buyers: 2000000000, scale: 10 }\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("population.buyers: the buyers of this run"), std::string::npos) << p[0];
  EXPECT_NE(only("buyers: { arrivals: { per_day: 1e9 } }\n")
                .find("buyers.arrivals.per_day: the buyers of this run"),
            std::string::npos);
}

TEST(ScenarioErrors, ModelV2KeysThatGoTogether) {
  EXPECT_EQ(only("streamers: { income_elasticity: 0.5 }\n"),
            "t.yaml:1:12: streamers.reservation_income: the live rate's response to income is "
            "relative to it (expected above 0 with streamers.income_elasticity 0.5, got 0)");
  EXPECT_EQ(only("policy:\n  - { from: 2022-01-01, jd: { fee_on: margin } }\n"),
            "t.yaml:2:39: policy[0].jd.fee_on: expected price or commission, got 'margin'");
  EXPECT_EQ(only("events:\n  - { type: subsidy, from: 2022-11-01, to: 2022-11-11, "
                 "commission_bonus: 0.05 }\n"),
            "t.yaml:2:5: events[0]: a subsidy needs the channel that pays it (expected taobao or "
            "jd, got '')");
  EXPECT_EQ(only("events:\n  - { type: promotion, from: 2022-11-01, to: 2022-11-11, traffic: 2, "
                 "every: month }\n"),
            "t.yaml:2:77: events[0].every: expected year (or nothing: once), got 'month'");
}

TEST(ScenarioErrors, PolicyOutOfOrder) {
  EXPECT_EQ(only("policy:\n  - { from: 2022-01-01 }\n  - { from: 2022-06-01 }\n"
                 "  - { from: 2022-03-01 }\n"),
            "t.yaml:4:13: policy[2].from: policy entries out of date order (expected after "
            "2022-06-01, got 2022-03-01)");
}

TEST(ScenarioErrors, PolicyMustCoverTheFirstDay) {
  EXPECT_EQ(only("policy:\n  - { from: 2022-02-01 }\n"),
            "t.yaml:2:13: policy[0].from: the first entry must start on or before "
            "calendar.start (expected at most 2022-01-01, got 2022-02-01)");
}

TEST(ScenarioErrors, MissingRequiredItemKeys) {
  EXPECT_EQ(only("events:\n  - { type: promotion, to: 2022-03-01, traffic: 2 }\n"),
            "t.yaml:2:5: events[0]: missing required key 'from'");
  EXPECT_EQ(only("events:\n  - { type: lockdown, from: 2022-03-01, to: 2022-03-02 }\n"),
            "t.yaml:2:5: events[0]: a lockdown needs 'logistics' (expected it in the event, got "
            "none)");
}

TEST(ScenarioErrors, UnknownEventTypeSuggests) {
  EXPECT_EQ(only("events:\n  - { type: promotoin, from: 2022-03-01, to: 2022-03-02, traffic: 2 "
                 "}\n"),
            "t.yaml:2:13: events[0].type: expected one of promotion, lockdown, demand_shock, got "
            "'promotoin' (did you mean 'promotion'?)");
}

TEST(ScenarioErrors, InfeasibleBeta) {
  EXPECT_EQ(only("merchants: { quality: { mean: 0.5, sd: 0.6 } }\n"),
            "t.yaml:1:40: merchants.quality.sd: too large for a Beta distribution with mean 0.5 "
            "(expected below 0.5, got 0.6)");
}

TEST(ScenarioErrors, SyntaxError) {
  EXPECT_EQ(only("name: [unclosed\n"),
            "t.yaml:2:1: YAML syntax error: end of sequence flow not found");
}

TEST(ScenarioErrors, TooDeepOrTooLarge) {
  std::string deep = "buyers: ";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  const auto p = problems(deep + "\n");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p.front().find("nesting deeper than 64 levels"), std::string::npos) << p.front();
  // Deep enough for the YAML parser's own guard, which stops before the stack runs out.
  const std::string abyss = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  const auto r = problems(abyss);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r.front().find("nesting deeper than 64 levels"), std::string::npos) << r.front();
  // An alias bomb: each level doubles the size.
  std::string bomb = "a0: &a0 [x, x]\n";
  for (int i = 1; i < 25; ++i) {
    const std::string n = std::to_string(i), prev = std::to_string(i - 1);
    bomb.append("a").append(n).append(": &a").append(n).append(" [*a").append(prev);
    bomb.append(", *a").append(prev).append("]\n");
  }
  const auto q = problems(bomb);
  ASSERT_FALSE(q.empty());
  EXPECT_NE(q.front().find("over 1,000,000 nodes"), std::string::npos) << q.front();
  // Ten levels of nine (the fuzzer's, tests/fuzz/corpus/scenario/alias_bomb_nine.yaml): sized
  // from the aliases without expanding them, and placed at the first list that is too large.
  std::string nine;
  for (char c = 'a'; c <= 'j'; ++c) {
    nine.append(1, c).append(": &").append(1, c).append(" [");
    for (int k = 0; k < 9; ++k) {
      nine.append(k ? ", " : "").append(c == 'a' ? "x" : "*" + std::string(1, char(c - 1)));
    }
    nine.append("]\n");
  }
  const auto n = problems(nine);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_NE(n.front().find(":7:4: document expands to over 1,000,000 nodes"), std::string::npos)
      << n.front();
}

TEST(ScenarioErrors, SetOverridesAreValidatedAndNamed) {
  EXPECT_EQ(only("name: a\n", {"buyers.follows=-1"}),
            "--set buyers.follows=-1:1:16: buyers.follows: out of range (expected a value in [0, "
            "1000], got -1)");
  EXPECT_EQ(only("name: a\n", {"buyers.nope=1"}),
            "--set buyers.nope=1:1:8: buyers.nope: unknown key (expected one of: app_share "
            "arrivals browse_depth follow_share follows intent_share lapse max_orders_per_session "
            "preference_concentration price_elasticity price_elasticity_spread search_depth "
            "search_sharpness session_rate session_rate_spread trust video_share)");
  EXPECT_EQ(only("name: a\n", {"population.buyers"}),
            "--set population.buyers:1:1: expected KEY=VALUE, got 'population.buyers'");
  EXPECT_EQ(only("categories: [{ name: a, ref_price: 1 }]\n", {"categories.20.ref_price=3"}),
            "--set categories.20.ref_price=3:1:12: categories.20: expected a list index below 1, "
            "got '20'");
  EXPECT_EQ(only("name: a\n", {"categories.0.ref_price=3"}),
            "--set categories.0.ref_price=3:1:1: categories: expected a list, got a map");
}

TEST(ScenarioErrors, SetProblemsFollowTheArgumentOrder) {
  const auto p = problems("name: a\n", {"seed=x", "buyers.follows=-1", "a.b=1"});
  ASSERT_EQ(p.size(), 3u) << ::testing::PrintToString(p);
  EXPECT_EQ(p[0].rfind("--set seed=x:", 0), 0u);
  EXPECT_EQ(p[1].rfind("--set buyers.follows=-1:", 0), 0u);
  EXPECT_EQ(p[2].rfind("--set a.b=1:", 0), 0u);
}

TEST(ScenarioErrors, EveryProblemIsReportedInFileOrder) {
  const auto p = problems("buyers:\n  sesion_rate: 1\n  follow_share: 2\nconversion: { base: x }\n",
                          {"seed=-4"});
  ASSERT_EQ(p.size(), 4u) << ::testing::PrintToString(p);
  EXPECT_EQ(p[0].rfind("t.yaml:2:3: buyers.sesion_rate", 0), 0u);
  EXPECT_EQ(p[1].rfind("t.yaml:3:17: buyers.follow_share", 0), 0u);
  EXPECT_EQ(p[2].rfind("t.yaml:4:21: conversion.base", 0), 0u);
  EXPECT_EQ(p[3].rfind("--set seed=-4:1:6: seed", 0), 0u);
}

class ExtendsErrors : public ::testing::Test {
 protected:
  // One folder per test: ctest runs tests as parallel processes.
  std::filesystem::path dir =
      test::temp_path(std::string("linksim_extends_") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
  }
  std::vector<std::string> load(const std::string& name) {
    try {
      load_scenario(dir / name);
    } catch (const ScenarioError& e) {
      return e.problems();
    }
    return {};
  }
};

TEST_F(ExtendsErrors, MissingFile) {
  write("a.yaml", "extends: nowhere.yaml\n");
  const auto p = load("a.yaml");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], (dir / "a.yaml").string() + ":1:10: extends: cannot read '" +
                      (dir / "nowhere.yaml").string() +
                      "': it does not exist (expected an existing scenario file)");
}

TEST_F(ExtendsErrors, CycleIsPrintedAsAChain) {
  write("a.yaml", "extends: b.yaml\n");
  write("b.yaml", "extends: c.yaml\n");
  write("c.yaml", "extends: a.yaml\n");
  const auto p = load("a.yaml");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], (dir / "c.yaml").string() +
                      ":1:10: extends: cycle in extends: a.yaml -> b.yaml -> c.yaml -> a.yaml "
                      "(expected a chain that ends)");
}

TEST_F(ExtendsErrors, ErrorsNameTheFileTheyAreIn) {
  write("base.yaml", "buyers: { follows: -2 }\n");
  write("child.yaml", "extends: base.yaml\nseed: x\n");
  const auto p = load("child.yaml");
  ASSERT_EQ(p.size(), 2u) << ::testing::PrintToString(p);
  EXPECT_EQ(p[0],
            (dir / "base.yaml").string() +
                ":1:20: buyers.follows: out of range (expected a value in [0, 1000], got -2)");
  EXPECT_EQ(p[1], (dir / "child.yaml").string() + ":2:7: seed: expected a whole number, got 'x'");
}

TEST_F(ExtendsErrors, UnreadableFile) {
  try {
    load_scenario(dir / "absent.yaml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.problems().front(), (dir / "absent.yaml").string() +
                                        ":1:1: cannot read the scenario file: it does not exist "
                                        "(expected an existing, readable "
                                        "YAML file)");
  }
}

}  // namespace
}  // namespace linksim
