// What the page asks for, resolved with the scenario loader: the same key
// table, checks and messages as `linksim compare --set KEY=VALUE`.
#include <algorithm>
#include <cmath>

#include "scenario/bind.hpp"
#include "scenario/keys.hpp"
#include "serve/runs.hpp"
#include "world/build.hpp"

namespace linksim::serve {

using nlohmann::json;

namespace {

// The key assumptions the page offers: the eight factors the sensitivity
// analysis screened between closed_loop and open_links (docs/analysis.md,
// "What drives closed loop vs open links"), in its ranking on GMV, with the
// ranges it screened them over; then v2's own factors that docs/analysis.md
// names as the next to screen, over ranges around the bundled values.
struct Assumption {
  const char* key;
  double from, to;  // the range screened: the control's suggested span
};
constexpr Assumption assumptions[] = {
    {"platform.store_take_rate", 0.03, 0.07},
    {"merchants.patience_months", 2, 6},
    {"conversion.jump_loss", 0.2, 0.6},
    {"buyers.app_share.jd", 0.3, 0.7},
    {"buyers.app_share.taobao", 0.5, 0.9},
    {"conversion.no_app_factor", 0.1, 0.5},
    {"merchants.entry.closed_entry_factor", 0.1, 0.5},
    {"merchants.onboarding.probability", 0.1, 0.5},
    {"buyers.intent_share", 0.1, 0.5},
    {"buyers.arrivals.attractiveness_exponent", 0, 1},
};

json range_json(const detail::Range& r) {
  const auto bound = [](double v) { return std::isfinite(v) ? json(v) : json(); };
  return {{"min", bound(r.lo)}, {"max", bound(r.hi)}, {"min_open", r.lo_open}, {"text", r.str()}};
}

template <class T>
json key_json(const detail::Key<T>& k) {
  return {{"key", k.path},
          {"type", detail::key_type_name(k.type)},
          {"unit", k.unit},
          {"doc", k.doc},
          {"range", range_json(k.range)}};
}

const detail::Key<Scenario>* scenario_key(const std::string& path) {
  for (const auto& k : detail::scenario_keys()) {
    if (path == k.path) return &k;
  }
  return nullptr;
}

// A JSON scalar as the YAML text of an override's value.
std::string yaml_value(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A problem as the page shows it: its key written as the page's controls
// name them (as for --set: policy.1.taobao.fee, not policy[1].taobao.fee).
json problem_json(const std::string& side, const std::string& text) {
  const ScenarioProblem p = parse_problem(text);
  std::string key;
  for (const char c : p.key) {
    if (c == '[') {
      key += '.';
    } else if (c != ']') {
      key += c;
    }
  }
  return {{"side", side},   {"key", key},     {"message", p.message}, {"text", text},
          {"file", p.file}, {"line", p.line}, {"column", p.column}};
}

[[noreturn]] void bad_request(const std::string& key, const std::string& message) {
  throw Refused(400, {{"problems", json::array({{{"side", "request"},
                                                 {"key", key},
                                                 {"message", message},
                                                 {"text", key + ": " + message}}})}});
}

const Offered& offered_named(const std::vector<Offered>& offered, const json& body,
                             const char* field) {
  if (!body.contains(field) || !body[field].is_string()) {
    bad_request(field, "expected the name of an offered scenario");
  }
  const std::string name = body[field];
  for (const auto& o : offered) {
    if (o.name == name) return o;
  }
  std::string names;
  for (const auto& o : offered) names += (names.empty() ? "" : ", ") + o.name;
  bad_request(field, "no scenario named '" + name + "' is offered (" + names + ")");
}

// Why a run is too large (empty when it is not): the machine's available
// memory (the CLI's estimate), then the server's limit on buyer-days.
std::string size_problem(const std::vector<Scenario>& scenarios, const ServerOptions& options) {
  RunOptions opts;
  opts.threads = options.threads * 2;  // the shared warm-up's world beside each copy
  double work = 0;
  for (const auto& s : scenarios) {
    const MemoryEstimate m = estimate_memory(s, opts);
    if (!m.fits()) {
      return "the run needs about " + std::to_string(std::llround(m.total / 1e6)) +
             " MB, more than the " + std::to_string(std::llround(m.available / 1e6)) +
             " MB available: lower the scale or the replications";
    }
    // compare() runs every scenario with the first one's replications.
    work += static_cast<double>(detail::buyer_slots(s)) *
            (s.calendar.days + s.calendar.warmup_days) * scenarios[0].replications;
  }
  if (work <= options.max_work) return "";
  char text[200];
  std::snprintf(text, sizeof text,
                "the run is %.3g buyer-days, over this server's limit of %.3g (linksim serve "
                "--max-work): lower the scale or the replications",
                work, options.max_work);
  return text;
}

// A request's fields: an object, with no field the page does not send (a
// misspelt field is refused, not left at its default).
void check_fields(const json& body) {
  if (!body.is_object()) bad_request("request", "expected a JSON object");
  const std::vector<std::string> fields = {"client", "baseline",     "scenario",
                                           "upload", "policy",       "assumptions",
                                           "scale",  "replications", "seed"};
  for (const auto& [field, value] : body.items()) {
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      const std::string near = detail::closest(field, fields);
      bad_request(field, "unknown field" + (near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
  }
}

// The overrides of both sides: the assumptions and the size (the same
// world); the policy timeline is the edited scenario's only (the decision).
std::vector<std::string> common_sets(const json& body) {
  std::vector<std::string> sets;
  if (body.contains("assumptions")) {
    if (!body["assumptions"].is_object()) bad_request("assumptions", "expected an object");
    for (const auto& [key, value] : body["assumptions"].items()) {
      if (!value.is_primitive() || value.is_null()) bad_request(key, "expected a value");
      sets.push_back(key + "=" + yaml_value(value));
    }
  }
  for (const auto& [field, key] : {std::pair{"scale", "population.scale"},
                                   {"replications", "replications"},
                                   {"seed", "seed"}}) {
    if (body.contains(field)) {
      if (!body[field].is_number()) bad_request(key, "expected a number");
      sets.push_back(std::string(key) + "=" + yaml_value(body[field]));
    }
  }
  return sets;
}

}  // namespace

json assumption_values(const Scenario& s) {
  json values = json::object();
  for (const auto& a : assumptions) {
    if (scenario_key(a.key) != nullptr) values[a.key] = json::parse(get_value(s, a.key));
  }
  return values;
}

json page_config(const std::vector<Offered>& offered) {
  json c;
  for (const auto& o : offered) {
    const json values = assumption_values(o.scenario);
    c["scenarios"].push_back({{"name", o.name},
                              {"file", o.file.filename().string()},
                              {"policy", json::parse(get_value(o.scenario, "policy"))},
                              {"values", values},
                              {"scale", o.scenario.population.scale},
                              {"replications", o.scenario.replications},
                              {"seed", o.scenario.seed},
                              {"start", format_date(o.scenario.calendar.start)},
                              {"days", o.scenario.calendar.days}});
  }
  for (const auto& a : assumptions) {
    const auto* k = scenario_key(a.key);
    if (k == nullptr) continue;  // a key this linksim does not have (a test keeps the list valid)
    json j = key_json(*k);
    j["screened"] = {a.from, a.to};
    c["assumptions"].push_back(j);
  }
  for (const auto& k : detail::policy_keys()) c["policy_keys"].push_back(key_json(k));
  for (const char* size : {"population.scale", "replications", "seed"}) {
    if (const auto* k = scenario_key(size)) c["size_keys"].push_back(key_json(*k));
  }
  // An interactive size: a comparison in seconds on a laptop's core or two.
  c["defaults"] = {{"scale", 0.1}, {"replications", 4}};
  return c;
}

std::vector<Scenario> resolve_request(const json& body, const std::vector<Offered>& offered,
                                      const ServerOptions& options) {
  check_fields(body);
  const Offered& base = offered_named(offered, body, "baseline");
  const std::vector<std::string> sets = common_sets(body);
  std::vector<std::string> edited = sets;
  if (body.contains("policy") && !body["policy"].is_null()) {
    if (!body["policy"].is_array()) bad_request("policy", "expected a list of policy entries");
    edited.push_back("policy=" + body["policy"].dump());
  }

  json problems = json::array();
  std::vector<Scenario> scenarios(2);
  try {
    scenarios[0] = load_scenario(base.file, sets);
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) problems.push_back(problem_json("baseline", p));
  }
  try {
    if (body.contains("upload") && !body["upload"].is_null()) {
      const json& up = body["upload"];
      if (!up.is_object() || !up.value("text", json()).is_string()) {
        bad_request("upload", "expected {\"name\": file name, \"text\": the YAML}");
      }
      // Named as uploaded, beside the offered scenarios: `extends: platform.yaml` works.
      const std::string name =
          std::filesystem::path(up.value("name", "uploaded.yaml")).filename().string();
      scenarios[1] =
          load_scenario_text(up["text"].get<std::string>(), base.file.parent_path() / name, edited);
    } else {
      scenarios[1] = load_scenario(offered_named(offered, body, "scenario").file, edited);
    }
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) problems.push_back(problem_json("scenario", p));
  }
  if (problems.empty()) {
    const std::string too_large = size_problem(scenarios, options);
    if (!too_large.empty()) {
      problems.push_back(
          {{"side", "request"}, {"key", "population.scale"}, {"message", too_large}});
    }
  }
  for (auto& p : problems) {
    if (!p.contains("text"))
      p["text"] = p["key"].get<std::string>() + ": " + p["message"].get<std::string>();
  }
  if (!problems.empty()) throw Refused(400, {{"problems", problems}});
  return scenarios;
}

}  // namespace linksim::serve
