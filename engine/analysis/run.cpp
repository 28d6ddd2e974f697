// `linksim sensitivity`: a Morris or Sobol' design over the factors' ranges,
// each row run as a scenario (and, with --compare, the other scenario with
// the same values), then indices per headline metric. Every point shares the
// scenario's seed, so the indices measure the factors and not the noise of
// different random streams. The points are run and recorded like a sweep's
// (experiment/points.hpp), so an interrupted analysis resumes. The indices,
// files and table are in sensitivity_results.cpp.
#include <chrono>
#include <cmath>
#include <set>

#include "analysis/sensitivity_results.hpp"
#include "ensemble.hpp"
#include "experiment/points.hpp"
#include "linksim/analysis.hpp"
#include "metrics/files.hpp"
#include "scenario/keys.hpp"

namespace linksim {

namespace fs = std::filesystem;

namespace {

constexpr const char* manifest_file = "sensitivity.json";

}  // namespace

SensitivityPlan plan_sensitivity(const fs::path& file, const std::vector<std::string>& overrides,
                                 const std::vector<std::string>& vary, const fs::path& compare) {
  SensitivityPlan plan;
  plan.base = load_scenario(file, overrides, vary, Vary::sensitivity);
  const Sensitivity& z = plan.base.sensitivity;
  plan.factors = z.factors;
  if (plan.factors.empty()) {
    throw ScenarioError({file.string() +
                         ":1:1: sensitivity: nothing to vary (expected --vary KEY=FROM:TO, or "
                         "sensitivity.factors in the scenario)"});
  }
  plan.method = z.method;
  plan.samples = z.samples > 0 ? z.samples : (z.method == "morris" ? 10 : 128);
  if (!compare.empty()) {
    plan.compare = compare;
  } else if (!z.compare.empty()) {
    plan.compare = (file.parent_path() / z.compare).lexically_normal();
  }
  for (const auto& f : plan.factors) {
    detail::KeyType type = detail::KeyType::real;
    detail::key_type_of(f.key, type);
    plan.integer.push_back(type == detail::KeyType::integer);
  }

  const int k = static_cast<int>(plan.factors.size());
  const detail::SensitivityDesign design = detail::sensitivity_design(plan);
  const Eigen::MatrixXd unit =
      plan.method == "morris" ? design.morris.points : design.saltelli.points();
  plan.rows = static_cast<int>(unit.rows());
  const int per_row = plan.compare.empty() ? 1 : 2;
  if (static_cast<long>(plan.rows) * per_row > 100000) {
    throw ScenarioError({file.string() + ":1:1: sensitivity: " +
                         std::to_string(static_cast<long>(plan.rows) * per_row) +
                         " points (expected at most 100000; lower sensitivity.samples)"});
  }

  const std::string text = detail::read_text(file);
  std::string other_text;
  if (!plan.compare.empty()) {
    try {
      other_text = detail::read_text(plan.compare);
    } catch (const std::exception&) {
      throw ScenarioError({plan.compare.string() +
                           ":1:1: cannot read the scenario to compare with (expected an "
                           "existing, readable YAML file)"});
    }
  }
  plan.points.base = plan.base;
  for (const auto& f : plan.factors) {
    SweepAxis axis;
    axis.key = f.key;
    axis.from = f.from;
    axis.to = f.to;
    plan.points.axes.push_back(axis);
  }
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::string fingerprint = version() + "\n" + git_commit() + "\n";
  auto add = [&](const std::string& t, const fs::path& f, const std::vector<std::string>& sets,
                 const std::vector<std::string>& values) {
    SweepPoint p;
    p.index = static_cast<int>(plan.points.points.size());
    p.values = values;
    try {
      p.scenario = load_scenario_text(t, f, sets);
    } catch (const ScenarioError& e) {
      for (const auto& msg : e.problems()) {
        if (seen.insert(msg).second) problems.push_back(msg);
      }
      p.scenario = plan.base;  // keeps the indices in step; never run
    }
    fingerprint += to_yaml(p.scenario);
    plan.points.points.push_back(std::move(p));
  };
  for (int r = 0; r < plan.rows; ++r) {
    std::vector<double> row(static_cast<std::size_t>(k));
    std::vector<std::string> values, sets = overrides;
    sets.push_back("sweep=[]");
    sets.push_back("sensitivity.factors=[]");
    for (int f = 0; f < k; ++f) {
      row[f] = unit(r, f);
      const auto& factor = plan.factors[f];
      double v = factor.from + unit(r, f) * (factor.to - factor.from);
      if (plan.integer[f]) v = std::round(v);
      values.push_back(factor_value(v));
      sets.push_back(factor.key + "=" + values.back());
    }
    plan.unit.push_back(row);
    add(text, file, sets, values);
    if (!plan.compare.empty()) {
      sets.push_back("seed=" + std::to_string(plan.base.seed));
      sets.push_back("replications=" + std::to_string(plan.base.replications));
      add(other_text, plan.compare, sets, values);
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  plan.points.fingerprint = detail::fnv1a_hex(fingerprint);
  return plan;
}

namespace {

// The analysed quantity at each design row: the replication mean, or the mean
// paired difference (other - scenario) with --compare.
std::vector<std::vector<double>> quantities(const SensitivityPlan& plan,
                                            const std::vector<SweepPointResult>& points) {
  const std::size_t metrics = metric_info().size();
  std::vector<std::vector<double>> q(static_cast<std::size_t>(plan.rows),
                                     std::vector<double>(metrics, 0.0));
  const bool paired = !plan.compare.empty();
  for (int r = 0; r < plan.rows; ++r) {
    const SweepPointResult& a = points[static_cast<std::size_t>(paired ? 2 * r : r)];
    for (std::size_t m = 0; m < metrics; ++m) {
      std::vector<double> v;
      for (std::size_t rep = 0; rep < a.replications.size(); ++rep) {
        double x = a.replications[rep][m];
        if (paired) x = points[static_cast<std::size_t>(2 * r + 1)].replications[rep][m] - x;
        v.push_back(x);
      }
      double sum = 0;
      for (double x : v) sum += x;  // NaN (undefined somewhere) stays NaN
      q[r][m] = v.empty() ? std::nan("") : sum / static_cast<double>(v.size());
    }
  }
  return q;
}

}  // namespace

SensitivityResult run_sensitivity(const SensitivityPlan& plan, const fs::path& dir,
                                  const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SensitivityResult result;
  result.plan = plan;
  const auto points = detail::run_points(plan.points, dir, manifest_file,
                                         detail::sensitivity_manifest(plan), options);
  result.quantity = quantities(plan, points);
  detail::analyse_sensitivity(result);
  if (!dir.empty() && detail::ensemble_of(options).writes_files()) {
    detail::write_sensitivity(result, dir);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void write_sensitivity(const SensitivityResult& r, const fs::path& dir) {
  detail::write_sensitivity(r, dir);
}

}  // namespace linksim
