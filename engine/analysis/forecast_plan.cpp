// `linksim forecast`'s plan: the posterior (posterior.json, read with
// file:line:column for what is wrong in it), and every draw's scenario
// checked before anything runs (forecast.cpp runs them).
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/abc.hpp"
#include "analysis/calibration.hpp"
#include "linksim/analysis.hpp"
#include "metrics/files.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

Scenario at_draw(const std::string& text, const fs::path& file,
                 const std::vector<std::string>& overrides, const Posterior& p,
                 const std::vector<double>& values) {
  std::vector<std::string> sets = overrides;
  for (std::size_t k = 0; k < p.keys.size(); ++k) {
    sets.push_back(p.keys[k].key + "=" + factor_value(values[k]));
  }
  return load_scenario_text(text, file, sets, {}, Vary::calibration);
}

}  // namespace detail

namespace {

using detail::at_draw;

ScenarioError problem(const fs::path& file, int line, int column, const std::string& what) {
  return ScenarioError(
      {file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what});
}

// The line and column of a byte offset in a text.
std::pair<int, int> place(const std::string& text, std::size_t at) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < std::min(at, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// The line of the first occurrence of `needle` (1 when absent).
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  return at == std::string::npos ? 1 : place(text, at).first;
}

}  // namespace

Posterior read_posterior(const fs::path& file) {
  std::string text;
  try {
    text = detail::read_text(file);
  } catch (const std::exception&) {
    throw problem(file, 1, 1,
                  "posterior: cannot read it (expected posterior.json of `linksim "
                  "calibrate --method abc-smc`)");
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto [line, column] = place(text, e.byte > 0 ? e.byte - 1 : 0);
    throw problem(file, line, column, std::string("posterior: not JSON (") + e.what() + ")");
  }
  Posterior p;
  p.file = file;
  if (!j.is_object() || j.value("kind", "") != "posterior") {
    throw problem(file, 1, 1,
                  "posterior: expected posterior.json of `linksim calibrate --method abc-smc` "
                  "(\"kind\": \"posterior\"), got another file");
  }
  try {
    p.scenario = j.at("scenario").at("name").get<std::string>();
    p.overrides = j.at("scenario").value("overrides", std::vector<std::string>{});
    for (const auto& k : j.at("keys")) {
      SensitivityFactor f;
      f.key = k.at("key").get<std::string>();
      f.prior = k.at("prior").get<std::string>();
      f.from = k.at("from").get<double>();
      f.to = k.at("to").get<double>();
      p.keys.push_back(f);
    }
    p.values = j.at("particles").at("values").get<std::vector<std::vector<double>>>();
    p.weights = j.at("particles").at("weights").get<std::vector<double>>();
  } catch (const json::exception& e) {
    throw problem(file, 1, 1,
                  std::string("posterior: a field is missing or malformed (") + e.what() + ")");
  }
  double total = 0;
  for (double w : p.weights) total += w;
  if (p.values.empty() || p.values.size() != p.weights.size() || !(total > 0) ||
      std::any_of(p.values.begin(), p.values.end(),
                  [&](const auto& v) { return v.size() != p.keys.size(); })) {
    throw problem(file, line_of(text, "\"particles\""), 1,
                  "posterior: particles: expected as many weights as particles, each with a "
                  "value per key, and a positive total weight");
  }
  return p;
}

ForecastPlan plan_forecast(const fs::path& file, const fs::path& posterior,
                           const std::vector<std::string>& overrides, const fs::path& compare,
                           int draws) {
  ForecastPlan plan;
  plan.file = file;
  plan.other_file = compare;
  plan.overrides = overrides;
  plan.scenario = load_scenario(file, overrides);
  plan.posterior = read_posterior(posterior);
  const Posterior& p = plan.posterior;
  std::vector<std::string> problems;
  const std::string text = detail::read_text(posterior);
  if (p.scenario != plan.scenario.name) {
    problems.push_back(posterior.string() + ":" + std::to_string(line_of(text, "\"name\"")) +
                       ":1: posterior: fitted on scenario '" + p.scenario +
                       "' (expected a posterior of '" + plan.scenario.name +
                       "', the scenario "
                       "forecast; --compare takes the other one)");
  }
  plan.draws = draws > 0 ? draws : plan.scenario.calibration.draws;
  // A forecast at another population.scale than the fit's is allowed
  // (reports.platform_scale is divided by it), but the small world's drift
  // from the large one is then not the fitted one: say so.
  const auto scale_of = [](const std::vector<std::string>& sets) {
    std::string value;
    for (const auto& s : sets) {
      if (s.rfind("population.scale=", 0) == 0) value = s.substr(17);
    }
    return value;
  };
  // The scale asked is the loaded scenario's (a file written with its scale,
  // as the Python module's, needs no --set to match).
  const std::string fitted = scale_of(p.overrides), asked = scale_of(overrides);
  const double scale = plan.scenario.population.scale;
  if (fitted.empty() ? !asked.empty() : std::strtod(fitted.c_str(), nullptr) != scale) {
    spdlog::warn(
        "{} was fitted at population.scale {} and this forecast runs at {} (expected "
        "--set population.scale={} for the world the posterior was fitted on)",
        posterior.string(), fitted.empty() ? "of the file" : fitted, factor_value(scale),
        fitted.empty() ? "<the file's>" : fitted);
  }
  // Every key at its least and greatest posterior value must load in both scenarios.
  const auto check = [&](const fs::path& f) {
    const std::string scenario_text = detail::read_text(f);
    for (std::size_t k = 0; k < p.keys.size(); ++k) {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& v : p.values) {
        lo = std::min(lo, v[k]);
        hi = std::max(hi, v[k]);
      }
      for (double x : {lo, hi}) {
        std::vector<double> values = p.values.front();
        values[k] = x;
        try {
          at_draw(scenario_text, f, overrides, p, values);
        } catch (const ScenarioError& e) {
          problems.push_back(posterior.string() + ":" +
                             std::to_string(line_of(text, "\"" + p.keys[k].key + "\"")) +
                             ":1: posterior: key " + p.keys[k].key + " = " + factor_value(x) +
                             " does not load in " + f.string() + " (" + e.problems().front() + ")");
        }
      }
    }
  };
  if (problems.empty()) check(file);
  if (!compare.empty()) {
    plan.other = load_scenario(compare, overrides);
    if (problems.empty()) check(compare);
    if (plan.other.calendar.start != plan.scenario.calendar.start ||
        plan.other.calendar.days != plan.scenario.calendar.days) {
      problems.push_back(compare.string() + ":1:1: calendar: expected the same horizon as " +
                         file.string() + " (the difference is taken quarter by quarter)");
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  return plan;
}

}  // namespace linksim
