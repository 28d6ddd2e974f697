// Loading: extends merges maps key by key and replaces lists, --set reads YAML,
// the resolved scenario round-trips, and everything generated from the key
// table (base.yaml, docs/scenarios.md, the JSON Schema) agrees with it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenario/keys.hpp"
#include "support.hpp"

namespace linksim {
namespace {

TEST(Load, ExtendsMergesMapsAndReplacesLists) {
  const Scenario s = test::scenario_from(
      "extends: kuaishou_2022.yaml\n"
      "buyers: { follows: 2 }\n"
      "events: [{ type: demand_shock, from: 2022-02-01, to: 2022-02-03, demand: 0.5 }]\n");
  EXPECT_EQ(s.name, "kuaishou_2022");     // from the parent
  EXPECT_EQ(s.buyers.follows, 2.0);       // overridden
  EXPECT_EQ(s.buyers.session_rate, 0.3);  // sibling kept from base.yaml
  EXPECT_EQ(s.policy.size(), 4u);         // parent's list kept
  ASSERT_EQ(s.events.size(), 1u);         // list replaced, not appended
  EXPECT_EQ(s.events[0].demand, 0.5);
}

TEST(Load, SetReadsYamlValues) {
  const Scenario s = test::scenario_from(
      "extends: base.yaml\n", {"population.buyers=1234",
                               "events=[{type: promotion, from: 2022-05-01, to: 2022-05-02, "
                               "traffic: 3}]",
                               "categories.1.ref_price=55.5", "merchants.stock={unlimited: true}"});
  EXPECT_EQ(s.population.buyers, 1234);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].traffic, 3.0);
  EXPECT_EQ(s.categories[1].ref_price, 55.5);
  EXPECT_TRUE(s.merchants.stock.unlimited);
  EXPECT_EQ(s.merchants.stock.days_of_cover, Scenario{}.merchants.stock.days_of_cover);
}

TEST(Load, PolicyEntriesInheritOmittedFields) {
  const Scenario s = test::scenario_from("extends: douyin_style.yaml\n");
  ASSERT_EQ(s.policy.size(), 3u);
  EXPECT_TRUE(s.policy[1].taobao.live);  // kept from the entry before
  EXPECT_EQ(s.policy[1].taobao.fee, 0.15);
  EXPECT_FALSE(s.policy[2].taobao.live);
  EXPECT_EQ(s.policy[2].taobao.fee, 0.15);  // kept
  EXPECT_TRUE(s.policy[2].taobao.video);
}

TEST(Load, ResolvedScenarioRoundTrips) {
  for (const char* name : {"base", "closed_loop", "open_links", "kuaishou_2022", "douyin_style",
                           "lockdown_open", "lockdown_closed"}) {
    const Scenario a =
        load_scenario(test::source_dir() / "scenarios" / (std::string(name) + ".yaml"));
    const std::string yaml = to_yaml(a);
    const Scenario b = load_scenario_text(yaml, "resolved.yaml");
    EXPECT_EQ(to_yaml(b), yaml) << name;
  }
}

TEST(Load, BaseYamlHoldsEveryDefault) {
  const std::string base = test::read_file(test::source_dir() / "scenarios" / "base.yaml");
  // base.yaml sets every key: loading it alone, without defaults, gives them.
  const Scenario from_file = load_scenario_text(base, "base.yaml");
  EXPECT_EQ(to_yaml(from_file), to_yaml(Scenario{}));
  for (const auto& k : detail::scenario_keys()) {
    const std::string leaf = std::string(k.path).substr(std::string(k.path).rfind('.') + 1);
    EXPECT_NE(base.find(leaf + ":"), std::string::npos) << k.path << " missing from base.yaml";
  }
}

TEST(Load, DocsScenariosMdIsUpToDate) {
  EXPECT_EQ(test::read_file(test::source_dir() / "docs" / "scenarios.md"), keys_markdown())
      << "regenerate with: linksim schema --markdown > docs/scenarios.md";
}

TEST(Load, JsonSchemaDescribesEveryKey) {
  const auto schema = nlohmann::json::parse(json_schema());
  EXPECT_EQ(schema["additionalProperties"], false);
  const auto& rate = schema["properties"]["buyers"]["properties"]["session_rate"];
  EXPECT_EQ(rate["type"], "number");
  EXPECT_EQ(rate["minimum"], 0);
  EXPECT_EQ(schema["properties"]["policy"]["items"]["required"][0], "from");
  // Every event type, and the string keys with a fixed set of values (model v2).
  const auto& event = schema["properties"]["events"]["items"]["properties"];
  EXPECT_EQ(event["type"]["enum"].size(), event_type_names.size());
  EXPECT_EQ(event["type"]["enum"].back(), "subsidy");
  EXPECT_EQ(event["every"]["enum"][1], "year");
  EXPECT_EQ(schema["properties"]["policy"]["items"]["properties"]["jd"]["properties"]["fee_on"]
                  ["enum"][1],
            "commission");
  for (const auto& k : detail::scenario_keys()) {
    const nlohmann::json* at = &schema;
    std::stringstream path(k.path);
    for (std::string seg; std::getline(path, seg, '.');) at = &(*at)["properties"][seg];
    EXPECT_TRUE(at->contains("description")) << k.path;
  }
}

TEST(Load, DatesParseAndFormat) {
  Date d = 0;
  ASSERT_TRUE(parse_date("2022-03-01", d));
  EXPECT_EQ(format_date(d), "2022-03-01");
  EXPECT_TRUE(parse_date("2024-02-29", d));
  EXPECT_FALSE(parse_date("2023-02-29", d));
  EXPECT_FALSE(parse_date("2022-3-1", d));
}

}  // namespace
}  // namespace linksim
