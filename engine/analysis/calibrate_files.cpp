// What a calibration writes and prints: the calibrated scenario, the fit
// against the target, the optimiser's trace and the summary.
#include <spdlog/fmt/fmt.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>

#include "analysis/calibration.hpp"
#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

void assign(YAML::Node node, const std::vector<std::string>& segs, std::size_t i,
            const YAML::Node& value) {
  if (i + 1 == segs.size()) {
    node[segs[i]] = value;
    return;
  }
  if (!node[segs[i]].IsMap()) node[segs[i]] = YAML::Node(YAML::NodeType::Map);
  assign(node[segs[i]], segs, i + 1, value);
}

// Copies the key at `path` from the resolved scenario into `out`; a key inside
// a list (categories.2.ref_price) copies the whole list, as lists replace.
void copy_key(const YAML::Node& resolved, const std::string& path, YAML::Node& out) {
  const auto segs = segments(path);
  YAML::Node at = YAML::Clone(resolved);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (at.IsSequence()) {
      assign(out, std::vector<std::string>(segs.begin(), segs.begin() + i), 0, at);
      return;
    }
    const YAML::Node next = at[segs[i]];
    if (!next) return;  // not a key of the resolved scenario (cannot happen after validation)
    at = next;
  }
  assign(out, segs, 0, at);
}

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(); }

}  // namespace

namespace detail {

// Columns padded to their widest cell, counting a CJK character (3 bytes in
// UTF-8) as two columns, as terminals show it.
std::string text_table(const std::vector<std::vector<std::string>>& rows) {
  const auto width = [](const std::string& s) { return display_width(s); };
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += " " + row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - width(row[c]) + 1, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string format_value(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "n/a";
  if (unit == "fen") return format_rmb(v);
  char buf[32];
  if (unit == "share") {
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

std::string calibrated_yaml(const CalibrationResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  std::vector<double> values;
  for (const auto& k : r.keys) values.push_back(k.value);
  const YAML::Node resolved = YAML::Load(to_yaml(calibration_point(plan, values)));
  // A key inside a list copies the whole list, and a shorter horizon
  // (--set calendar.days=...) clips dated lists: copy them from the scenario
  // at the file's own calendar, so that the file run on a longer horizon keeps
  // its later events and policy changes (loading it clips them again).
  CalibrationPlan unclipped = plan;
  std::erase_if(unclipped.overrides,
                [](const std::string& o) { return o.rfind("calendar.", 0) == 0; });
  const YAML::Node lists = unclipped.overrides.size() == plan.overrides.size()
                               ? resolved
                               : YAML::Load(to_yaml(calibration_point(unclipped, values)));
  YAML::Node out(YAML::NodeType::Map);
  // In memory (no folder), relative to the working folder.
  const fs::path from = fs::absolute(dir.empty() ? fs::path(".") : dir).lexically_normal();
  out["extends"] = fs::absolute(plan.file).lexically_normal().lexically_relative(from).string();
  out["name"] = plan.base.name + "-calibrated";
  for (const auto& o : plan.overrides) {
    const std::string key = o.substr(0, o.find('='));
    copy_key(key.rfind("calendar.", 0) == 0 ? resolved : lists, key, out);
  }
  for (const auto& k : r.keys) copy_key(lists, k.key, out);
  YAML::Emitter e;
  e << out;
  std::ostringstream text;
  text << "# Calibrated by linksim " << version() << " (" << git_commit() << ") to "
       << plan.target_file.string() << ": " << (r.converged ? "converged" : "DID NOT CONVERGE")
       << ", RMS scaled error " << format_percent(r.rms) << ".\n"
       << "# `linksim run` on this file reproduces the fit (same seed, replications and "
          "random streams).\n"
       << e.c_str() << "\n";
  return text.str();
}

void write_calibration(const CalibrationResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  std::ostringstream fit, trace;
  fit << "period,metric,unit,target,weight,scale,model,ci95_low,ci95_high,scaled_error\n";
  json fit_json = json::array();
  for (const auto& f : r.fit) {
    const auto& t = f.target;
    fit << t.period << "," << t.metric << "," << t.unit << "," << csv_number(t.value) << ","
        << csv_number(t.weight) << "," << csv_number(t.scale) << "," << csv_number(f.model) << ","
        << csv_number(f.lo) << "," << csv_number(f.hi) << "," << csv_number(f.scaled_error) << "\n";
    fit_json.push_back({{"period", t.period},
                        {"metric", t.metric},
                        {"unit", t.unit},
                        {"target", t.value},
                        {"weight", t.weight},
                        {"scale", t.scale},
                        {"model", number_or_null(f.model)},
                        {"ci95", {number_or_null(f.lo), number_or_null(f.hi)}},
                        {"scaled_error", number_or_null(f.scaled_error)}});
  }
  trace << "evaluation";
  for (const auto& k : r.keys) trace << "," << k.key;
  trace << ",loss,best\n";
  json trace_json = json::array();
  for (std::size_t e = 0; e < r.trace.size(); ++e) {
    trace << e + 1;
    for (double v : r.trace[e].values) trace << "," << csv_number(v);
    trace << "," << csv_number(r.trace[e].loss) << "," << csv_number(r.trace[e].best) << "\n";
    trace_json.push_back({{"evaluation", e + 1},
                          {"values", r.trace[e].values},
                          {"loss", r.trace[e].loss},
                          {"best", r.trace[e].best}});
  }
  json keys = json::array();
  for (const auto& k : r.keys) {
    keys.push_back({{"key", k.key},
                    {"from", k.from},
                    {"to", k.to},
                    {"start", k.start},
                    {"value", k.value},
                    {"ci95", std::isfinite(k.lo) ? json{k.lo, k.hi} : json()},
                    {"at_bound", k.at_bound},
                    {"identified", k.identified}});
  }
  std::vector<std::string> overrides = plan.overrides;
  json manifest{{"linksim", {{"version", version()}, {"commit", git_commit()}}},
                {"scenario",
                 {{"name", plan.base.name},
                  {"file", plan.file.string()},
                  {"seed", plan.base.seed},
                  {"replications", plan.base.replications},
                  {"overrides", overrides}}},
                {"target", {{"file", plan.target_file.string()}, {"rows", plan.target.size()}}},
                {"method", r.method},
                {"evaluations", r.optimiser_evaluations},
                {"tolerance", r.tolerance},
                {"status", r.converged ? "converged" : "not_converged"},
                {"message", r.message},
                {"stop", r.stop},
                {"loss", r.loss},
                {"rms", r.rms},
                {"units",
                 "money in fen (1/100 RMB), shares in [0, 1]; loss = weighted mean of squared "
                 "(model - target) / scale, scale = RMS of the metric's target values; rms = "
                 "sqrt(loss)"},
                {"free", keys},
                {"fit", fit_json},
                {"trace", trace_json}};
  Staged files;  // calibration.json, the mark of a finished calibration, last
  files.add(dir / "calibration_fit.csv", fit.str());
  files.add(dir / "calibration_trace.csv", trace.str());
  files.add(dir / "calibrated.yaml", r.calibrated_yaml);
  files.add(dir / "calibration.json", manifest.dump(2) + "\n");
  files.commit();
}

}  // namespace detail

std::string calibration_table(const CalibrationResult& r) {
  const auto& plan = r.plan;
  std::ostringstream out;
  out << "Calibration of " << plan.base.name << " to " << plan.target_file.string() << " ("
      << plan.target.size() << (plan.target.size() == 1 ? " row): " : " rows): ") << r.method
      << ", " << r.optimiser_evaluations << " evaluations; " << plan.base.replications
      << " replications, seed " << plan.base.seed << "\n"
      << r.message << "\n\n";
  std::vector<std::vector<std::string>> keys{{"key", "range", "start", "fitted", "95% interval"}};
  auto g = [](double v) { return fmt::format("{:.4g}", v); };
  for (const auto& k : r.keys) {
    std::string note = std::isfinite(k.lo) ? fmt::format("[{}, {}]", g(k.lo), g(k.hi)) : "none";
    if (!k.identified) note += " (not identified: the target does not move with it)";
    if (k.at_bound) note += " (at an end of its range)";
    keys.push_back(
        {k.key, fmt::format("{} to {}", g(k.from), g(k.to)), g(k.start), g(k.value), note});
  }
  out << detail::text_table(keys) << "\n";
  std::vector<std::vector<std::string>> fit{
      {"period", "metric", "target", "model", "95% interval", "scaled error"}};
  for (const auto& f : r.fit) {
    const auto& t = f.target;
    fit.push_back({t.period, t.metric, detail::format_value(t.value, t.unit),
                   detail::format_value(f.model, t.unit),
                   fmt::format("[{}, {}]", detail::format_value(f.lo, t.unit),
                               detail::format_value(f.hi, t.unit)),
                   fmt::format("{:+.1f}%", 100 * f.scaled_error)});
  }
  out << detail::text_table(fit);
  out << "\n(error = (model - target) / scale, the scale being the RMS of the metric's target "
         "values)\n";
  return out.str();
}

}  // namespace linksim
