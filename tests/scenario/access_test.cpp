// The scenario API for code that builds or changes scenarios: validate() on a
// Scenario changed in code, keys read and set by their --set path (with the
// command line's messages), and ScenarioError messages taken apart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "linksim/scenario.hpp"
#include "linksim/simulation.hpp"
#include "support.hpp"

namespace linksim {
namespace {

Scenario open_links() { return load_scenario(test::bundled("open_links.yaml")); }

TEST(Access, ValidateFindsWhatCodeBroke) {
  Scenario s = open_links();
  EXPECT_TRUE(validate(s).empty());
  s.buyers.session_rate = -1;
  s.policy.clear();  // the policy's first entry is read every day: never empty
  const auto problems = validate(s);
  ASSERT_GE(problems.size(), 2u);
  bool rate = false, policy = false;
  for (const auto& p : problems) {
    rate |= p.key == "buyers.session_rate" && p.message.find("out of range") != std::string::npos;
    policy |= p.key.rfind("policy", 0) == 0;
    EXPECT_EQ(p.file, "<resolved open_links>") << p.message;  // lines of to_yaml(s)
    EXPECT_GT(p.line, 0) << p.message;
  }
  EXPECT_TRUE(rate);
  EXPECT_TRUE(policy);
}

// A Scenario changed in code into an invalid one is refused, with every
// problem, before anything is built: never simulated, never a crash.
TEST(Access, SimulationRefusesAnInvalidScenario) {
  Scenario s = open_links();
  s.policy.clear();
  s.buyers.session_rate = -1;
  try {
    Simulation sim(s, 1);
    FAIL() << "an invalid scenario was simulated";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_NE(e.problems()[0].find("<scenario open_links>: buyers.session_rate: out of range"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.problems()[1].find("policy: expected at least one entry"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(run(s), ScenarioError);
  EXPECT_NO_THROW(Simulation(open_links(), 1));
}

TEST(Access, KeysReadAndSetByTheirSetPath) {
  const Scenario s = open_links();
  EXPECT_EQ(nlohmann::json::parse(get_value(s, "buyers.session_rate")).get<double>(),
            s.buyers.session_rate);
  EXPECT_TRUE(nlohmann::json::parse(get_value(s, "policy")).is_array());
  const Scenario changed = with_value(s, "policy.0.taobao.fee", "0.125");
  EXPECT_EQ(nlohmann::json::parse(get_value(changed, "policy.0.taobao.fee")).get<double>(), 0.125);
  EXPECT_EQ(changed.source, s.source);
  // The same scenario as --set on the file gives: the same resolved YAML.
  EXPECT_EQ(to_yaml(changed), to_yaml(load_scenario(test::bundled("open_links.yaml"),
                                                    {"policy.0.taobao.fee=0.125"})));
  try {
    with_value(s, "buyers.sesion_rate", "0.3");
    FAIL() << "a misspelt key was accepted";
  } catch (const ScenarioError& e) {
    const ScenarioProblem p = parse_problem(e.problems().at(0));
    EXPECT_EQ(p.file, "--set buyers.sesion_rate=0.3");
    EXPECT_EQ(p.line, 1);
    EXPECT_EQ(p.key, "buyers.sesion_rate");
    EXPECT_NE(p.message.find("did you mean 'session_rate'"), std::string::npos) << p.message;
  }
  EXPECT_THROW(get_value(s, "buyers.no_such_key"), ScenarioError);
  EXPECT_THROW(get_value(s, "policy.9"), ScenarioError);
}

TEST(Access, ProblemsTakenApart) {
  const ScenarioProblem p = parse_problem("a:b/c.yaml:12:7: policy[1].from: not a date (got x)");
  EXPECT_EQ(p.file, "a:b/c.yaml");
  EXPECT_EQ(p.line, 12);
  EXPECT_EQ(p.column, 7);
  EXPECT_EQ(p.key, "policy[1].from");
  EXPECT_EQ(p.message, "not a date (got x)");
  const ScenarioProblem bare = parse_problem("something went wrong: badly");
  EXPECT_EQ(bare.line, 0);
  EXPECT_EQ(bare.key, "");
  EXPECT_EQ(bare.message, "something went wrong: badly");
}

}  // namespace
}  // namespace linksim
