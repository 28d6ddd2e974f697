// Everything generated from the key tables: the resolved scenario as YAML
// (`linksim show`), the JSON Schema (`linksim schema`) and docs/scenarios.md.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "scenario/keys.hpp"

namespace linksim {

namespace {

using detail::Key;
using detail::KeyType;

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  for (std::string seg; std::getline(ss, seg, '.');) out.push_back(seg);
  return out;
}

template <class T>
YAML::Node to_node(T& value, const std::vector<Key<T>>& keys) {
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& k : keys) {
    YAML::Node at = node;
    const auto segs = split(k.path);
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) at.reset(at[segs[i]]);
    at[segs.back()] = detail::field_text(k.field(value), k.type);
  }
  return node;
}

template <class T>
YAML::Node list_node(std::vector<T> items, const std::vector<Key<T>>& keys) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (auto& item : items) {
    YAML::Node n = to_node(item, keys);
    n.SetStyle(YAML::EmitterStyle::Flow);
    list.push_back(n);
  }
  return list;
}

template <class T>
nlohmann::json schema_of(const std::vector<Key<T>>& keys) {
  using nlohmann::json;
  json root{{"type", "object"}, {"additionalProperties", false}, {"properties", json::object()}};
  for (const auto& k : keys) {
    json* at = &root;
    const auto segs = split(k.path);
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
      json& props = (*at)["properties"];
      if (!props.contains(segs[i])) {
        props[segs[i]] = {
            {"type", "object"}, {"additionalProperties", false}, {"properties", json::object()}};
      }
      at = &props[segs[i]];
    }
    json leaf{
        {"description", std::string(k.doc) + (*k.unit ? std::string(" Unit: ") + k.unit : "")}};
    switch (k.type) {
      case KeyType::real:
        leaf["type"] = "number";
        break;
      case KeyType::integer:
        leaf["type"] = "integer";
        break;
      case KeyType::boolean:
        leaf["type"] = "boolean";
        break;
      case KeyType::date:
        leaf["type"] = "string";
        leaf["pattern"] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
        break;
      case KeyType::string: {
        leaf["type"] = "string";
        // The string keys with a fixed set of values (checked in validate.cpp).
        const std::string leaf_name = segs.back();
        if (leaf_name == "fee_on") leaf["enum"] = {"price", "commission"};
        if (leaf_name == "every") leaf["enum"] = {"", "year"};
        if (leaf_name == "channel") leaf["enum"] = {"taobao", "jd"};
        break;
      }
      case KeyType::event_type:
        leaf["enum"] = nlohmann::json::array();
        for (const char* name : event_type_names) leaf["enum"].push_back(name);
        break;
    }
    if (k.type == KeyType::real || k.type == KeyType::integer) {
      if (std::isfinite(k.range.lo))
        leaf[k.range.lo_open ? "exclusiveMinimum" : "minimum"] = k.range.lo;
      if (std::isfinite(k.range.hi)) leaf["maximum"] = k.range.hi;
    }
    if (k.required) root["required"].push_back(k.path);
    (*at)["properties"][segs.back()] = leaf;
  }
  return root;
}

template <class T>
void markdown_rows(std::ostringstream& out, const std::vector<Key<T>>& keys, const T& defaults,
                   const std::string& prefix) {
  for (const auto& k : keys) {
    T copy = defaults;
    std::string def = detail::field_text(k.field(copy), k.type);
    if (k.required) def = "(required)";
    const bool numeric = k.type == KeyType::real || k.type == KeyType::integer;
    out << "| `" << prefix << k.path << "` | " << detail::key_type_name(k.type) << " | `" << def
        << "` | " << (numeric ? k.range.str() : "") << " | " << k.unit << " | " << k.doc << " | "
        << k.source << " |\n";
  }
}

YAML::Node sweep_node(const std::vector<SweepAxis>& axes) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const auto& a : axes) {
    YAML::Node n(YAML::NodeType::Map);
    n["key"] = a.key;
    if (a.points > 0) {
      SweepAxis copy = a;
      for (const auto& k : detail::sweep_keys()) {
        if (std::string(k.path) != "key") n[k.path] = detail::field_text(k.field(copy), k.type);
      }
    } else {
      YAML::Node values(YAML::NodeType::Sequence);
      // A quoted value only matters for string keys, which take plain text the same way.
      for (const auto& v : a.values) values.push_back(detail::yaml_unquote(v));
      values.SetStyle(YAML::EmitterStyle::Flow);
      n["values"] = values;
    }
    n.SetStyle(YAML::EmitterStyle::Flow);
    list.push_back(n);
  }
  return list;
}

}  // namespace

std::string to_yaml(const Scenario& scenario) {
  Scenario s = scenario;
  YAML::Node root = to_node(s, detail::scenario_keys());
  root["categories"] = list_node(s.categories, detail::category_keys());
  root["policy"] = list_node(s.policy, detail::policy_keys());
  root["events"] = list_node(s.events, detail::event_keys());
  root["sweep"] = sweep_node(s.sweep);
  YAML::Node factors = list_node(s.sensitivity.factors, detail::factor_keys());
  root["sensitivity"]["factors"] = factors;
  YAML::Node free = list_node(s.calibration.free, detail::factor_keys());
  root["calibration"]["free"] = free;
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string json_schema() {
  using nlohmann::json;
  json root = schema_of(detail::scenario_keys());
  root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  root["title"] = "linksim scenario";
  root["properties"]["extends"] = {{"type", "string"},
                                   {"description",
                                    "A scenario file this one extends, relative "
                                    "to this file."}};
  auto list = [&](const char* name, json item) {
    for (const auto& l : detail::list_keys()) {
      if (std::string(l.path) == name)
        root["properties"][name] = {{"type", "array"}, {"description", l.doc}, {"items", item}};
    }
  };
  list("categories", schema_of(detail::category_keys()));
  list("policy", schema_of(detail::policy_keys()));
  list("events", schema_of(detail::event_keys()));
  json axis = schema_of(detail::sweep_keys());
  axis["properties"]["values"] = {
      {"type", "array"},
      {"minItems", 1},
      {"items", {{"type", {"number", "string", "boolean"}}}},
      {"description", "The values to run, each as it would be written for the key."}};
  list("sweep", axis);
  for (const auto& l : detail::list_keys()) {
    if (std::string(l.path) == "sensitivity.factors") {
      root["properties"]["sensitivity"]["properties"]["factors"] = {
          {"type", "array"}, {"description", l.doc}, {"items", schema_of(detail::factor_keys())}};
    } else if (std::string(l.path) == "calibration.free") {
      root["properties"]["calibration"]["properties"]["free"] = {
          {"type", "array"}, {"description", l.doc}, {"items", schema_of(detail::factor_keys())}};
    }
  }
  return root.dump(2) + "\n";
}

std::string keys_markdown() {
  std::ostringstream out;
  out << "# Scenario keys\n\n"
         "Generated by `linksim schema --markdown` from the key table "
         "(engine/scenario/keys.cpp); a test fails when this file is out of date. Rates are per "
         "day unless the name says otherwise; fractions are in [0, 1]; money is in RMB. Defaults "
         "are those of `scenarios/base.yaml`.\n\n"
         "| key | type | default | range | unit | meaning | source |\n"
         "|---|---|---|---|---|---|---|\n";
  const Scenario defaults;
  out << "| `extends` | string | | | | A scenario file this one extends (relative path; chains "
         "allowed; maps merge key by key, lists replace). | |\n";
  markdown_rows(out, detail::scenario_keys(), defaults, "");
  for (const auto& l : detail::list_keys()) {
    out << "| `" << l.path << "` | list | | | | " << l.doc << " | |\n";
  }
  markdown_rows(out, detail::category_keys(), Category{}, "categories[].");
  markdown_rows(out, detail::policy_keys(), PolicyEntry{}, "policy[].");
  markdown_rows(out, detail::event_keys(), Event{}, "events[].");
  markdown_rows(out, detail::sweep_keys(), SweepAxis{}, "sweep[].");
  out << "| `sweep[].values` | list | | | | The values to run, each written as for the key "
         "(give either values or from, to and points). | |\n";
  markdown_rows(out, detail::factor_keys(), SensitivityFactor{}, "sensitivity.factors[].");
  markdown_rows(out, detail::factor_keys(), SensitivityFactor{}, "calibration.free[].");
  return out.str();
}

}  // namespace linksim
