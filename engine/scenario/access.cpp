// A scenario for code that builds or changes one (the C++ API and the Python
// module): its problems, one of its keys read or set by dotted path, and
// ScenarioError's messages taken apart.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "linksim/scenario.hpp"

namespace linksim {

namespace {

// A YAML scalar as JSON: a number, true/false, null, or else a string.
nlohmann::json scalar_json(const YAML::Node& n) {
  const std::string text = n.Scalar();
  if (n.Tag() == "!") return text;  // quoted: always a string
  if (text == "true" || text == "false") return text == "true";
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  char* end = nullptr;
  const long long whole = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() && *end == '\0') return whole;
  const double number = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') return number;
  return text;
}

nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : n) out[kv.first.Scalar()] = to_json(kv.second);
    return out;
  }
  if (n.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : n) out.push_back(to_json(item));
    return out;
  }
  if (n.IsScalar()) return scalar_json(n);
  return nullptr;
}

// What a problem of a scenario held in memory names as its file: its lines
// and columns are those of to_yaml(s), not of the file it came from.
std::string label(const Scenario& s) { return "<resolved " + s.name + ">"; }

}  // namespace

std::vector<ScenarioProblem> validate(const Scenario& scenario) {
  std::vector<ScenarioProblem> out;
  try {
    load_scenario_text(to_yaml(scenario), label(scenario));
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) out.push_back(parse_problem(p));
  }
  return out;
}

ScenarioProblem parse_problem(const std::string& text) {
  static const std::regex located(R"(^(.*):(\d+):(\d+): (.*)$)");
  static const std::regex keyed(R"(^([A-Za-z0-9_.\[\]-]+): (.*)$)");
  ScenarioProblem p;
  std::smatch m;
  std::string rest = text;
  if (std::regex_match(text, m, located)) {
    p.file = m[1];
    p.line = std::stoi(m[2]);
    p.column = std::stoi(m[3]);
    rest = m[4];
  }
  if (std::smatch k; std::regex_match(rest, k, keyed)) {
    p.key = k[1];
    p.message = k[2];
  } else {
    p.message = rest;
  }
  return p;
}

std::string get_value(const Scenario& scenario, const std::string& key) {
  YAML::Node at = YAML::Load(to_yaml(scenario));
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string seg = key.substr(start, dot == std::string::npos ? dot : dot - start);
    YAML::Node next;
    if (at.IsSequence()) {
      const bool index = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos;
      if (!index || std::stoul(seg.substr(0, 9)) >= at.size()) {
        throw ScenarioError({key + ": expected a list index below " + std::to_string(at.size()) +
                             ", got '" + seg + "'"});
      }
      next = at[std::stoul(seg)];
    } else if (const YAML::Node& map = at; map.IsMap() && map[seg]) {
      next = map[seg];
    } else {
      throw ScenarioError({key + ": unknown key (expected a key of the scenario, as written for "
                                 "--set; `linksim schema --markdown` lists them)"});
    }
    at.reset(next);
    if (dot == std::string::npos) return to_json(at).dump();
    start = dot + 1;
  }
}

Scenario with_value(const Scenario& scenario, const std::string& key, const std::string& value) {
  Scenario out = load_scenario_text(to_yaml(scenario), label(scenario), {key + "=" + value});
  out.source = scenario.source;
  return out;
}

}  // namespace linksim
