// `linksim sensitivity`: a Morris or Sobol' design over the factors' ranges,
// each row run as a scenario (and, with --compare, the other scenario with
// the same values), then indices per headline metric. Every point shares the
// scenario's seed, so the indices measure the factors and not the noise of
// different random streams. The points are run and recorded like a sweep's
// (experiment/points.hpp), so an interrupted analysis resumes.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>

#include "analysis/sensitivity.hpp"
#include "experiment/points.hpp"
#include "linksim/analysis.hpp"
#include "metrics/files.hpp"
#include "rng.hpp"
#include "scenario/keys.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* manifest_file = "sensitivity.json";

// The seeds of the design and of the bootstrap: fixed functions of the
// scenario's seed, apart from the replications' streams.
std::uint64_t design_seed(std::uint64_t seed) { return detail::mix64(seed ^ 0x64657369676E00ULL); }
std::uint64_t bootstrap_seed(std::uint64_t seed) {
  return detail::mix64(seed ^ 0x626F6F7473747200ULL);
}

// The design: a pure function of the plan's factors, method, samples and seed.
struct Design {
  detail::MorrisDesign morris;
  detail::SaltelliDesign saltelli;
};
Design design_of(const SensitivityPlan& plan) {
  Design d;
  const int k = static_cast<int>(plan.factors.size());
  const std::uint64_t seed = design_seed(plan.base.seed);
  if (plan.method == "morris") {
    d.morris = detail::morris_design(k, plan.samples, plan.base.sensitivity.levels, seed);
  } else {
    d.saltelli = detail::saltelli_design(k, plan.samples, seed);
  }
  return d;
}

json factors_json(const std::vector<SensitivityFactor>& factors) {
  json out = json::array();
  for (const auto& f : factors) out.push_back({{"key", f.key}, {"from", f.from}, {"to", f.to}});
  return out;
}

json manifest(const SensitivityPlan& plan) {
  Scenario base = plan.base;
  json m{{"linksim", {{"version", version()}, {"commit", git_commit()}}},
         {"fingerprint", plan.points.fingerprint},
         {"scenario",
          {{"name", base.name},
           {"file", base.source.string()},
           {"seed", base.seed},
           {"replications", base.replications},
           {"resolved_yaml", to_yaml(base)}}},
         {"axes", factors_json(plan.factors)},
         {"design",
          {{"method", plan.method},
           {"samples", plan.samples},
           {"levels", base.sensitivity.levels},
           {"rows", plan.rows},
           {"points", plan.points.points.size()}}}};
  m["compare"] = plan.compare.empty() ? json() : json(plan.compare.string());
  return m;
}

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
  const Design design = design_of(plan);
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

MetricSensitivity analyse(const SensitivityPlan& plan, const Design& design,
                          const std::vector<std::vector<double>>& q, std::size_t m) {
  MetricSensitivity out;
  out.metric = metric_info()[m].name;
  out.unit = metric_info()[m].unit;
  const int k = static_cast<int>(plan.factors.size());
  Eigen::VectorXd y(plan.rows);
  for (int r = 0; r < plan.rows; ++r) y(r) = q[r][m];
  out.defined = y.allFinite();
  out.factors.assign(static_cast<std::size_t>(k), {});
  if (!out.defined) return out;
  const double nan = std::nan("");
  const int boot = plan.base.sensitivity.bootstrap;
  const std::uint64_t bseed = bootstrap_seed(plan.base.seed) + m;
  std::vector<double> rank_by(static_cast<std::size_t>(k));
  if (plan.method == "morris") {
    const auto ix = detail::morris_indices(design.morris, y, boot, bseed);
    for (int f = 0; f < k; ++f) {
      out.factors[f] = {{"mu_star", ix.mu_star(f), ix.mu_star_lo(f), ix.mu_star_hi(f)},
                        {"mu", ix.mu(f), nan, nan},
                        {"sigma", ix.sigma(f), nan, nan}};
      rank_by[f] = ix.mu_star(f);
    }
  } else {
    const auto ix = detail::sobol_indices(design.saltelli, y, boot, bseed);
    for (int f = 0; f < k; ++f) {
      out.factors[f] = {{"total", ix.total(f), ix.total_lo(f), ix.total_hi(f)},
                        {"first", ix.first(f), ix.first_lo(f), ix.first_hi(f)}};
      rank_by[f] = ix.total(f);
    }
  }
  const double mean = y.mean();
  out.variance = (y.array() - mean).square().sum() / std::max(1.0, y.size() - 1.0);
  out.ranking.resize(static_cast<std::size_t>(k));
  std::iota(out.ranking.begin(), out.ranking.end(), 0);
  std::stable_sort(out.ranking.begin(), out.ranking.end(),
                   [&](int a, int b) { return rank_by[a] > rank_by[b]; });
  return out;
}

void write_outputs(const SensitivityResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  std::ostringstream design, indices;
  design << "row";
  for (const auto& f : plan.factors) design << "," << f.key;
  for (int m : headline_indices()) design << "," << metric_info()[m].name;
  design << "\n";
  for (int row = 0; row < plan.rows; ++row) {
    design << row;
    const auto& values = plan.points.points[plan.compare.empty() ? row : 2 * row].values;
    for (const auto& v : values) design << "," << v;
    for (int m : headline_indices()) design << "," << detail::csv_number(r.quantity[row][m]);
    design << "\n";
  }
  indices << "metric,unit,factor,index,estimate,ci95_low,ci95_high\n";
  json results = json::object();
  for (const auto& ms : r.metrics) {
    json factors = json::object();
    for (std::size_t f = 0; f < ms.factors.size(); ++f) {
      json idx = json::object();
      for (const auto& i : ms.factors[f]) {
        indices << ms.metric << "," << ms.unit << "," << plan.factors[f].key << "," << i.name << ","
                << detail::csv_number(i.estimate) << "," << detail::csv_number(i.lo) << ","
                << detail::csv_number(i.hi) << "\n";
        json one{{"estimate", i.estimate}};
        if (!std::isnan(i.lo)) one["ci95"] = {i.lo, i.hi};
        idx[i.name] = one;
      }
      factors[plan.factors[f].key] = idx;
    }
    json ranking = json::array();
    for (int f : ms.ranking) ranking.push_back(plan.factors[f].key);
    results[ms.metric] = {{"unit", ms.unit},
                          {"defined", ms.defined},
                          {"variance", ms.variance},
                          {"factors", factors},
                          {"ranking", ranking}};
  }
  json done = manifest(plan);
  done["status"] = "complete";
  done["quantity"] = plan.compare.empty()
                         ? "replication mean of each metric"
                         : "mean paired difference, compare scenario minus scenario";
  done["units"] =
      "money in fen (1/100 RMB); shares in [0, 1]; Morris effects per full range of a factor";
  done["results"] = results;
  detail::Staged files;  // sensitivity.json, the mark of a finished analysis, last
  files.add(dir / "sensitivity_design.csv", design.str());
  files.add(dir / "sensitivity.csv", indices.str());
  files.add(dir / manifest_file, done.dump(2) + "\n");
  files.commit();
}

}  // namespace

SensitivityResult run_sensitivity(const SensitivityPlan& plan, const fs::path& dir,
                                  const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SensitivityResult result;
  result.plan = plan;
  const auto points = detail::run_points(plan.points, dir, manifest_file, manifest(plan), options);
  result.quantity = quantities(plan, points);
  const Design design = design_of(plan);
  for (int m : headline_indices()) {
    result.metrics.push_back(analyse(plan, design, result.quantity, static_cast<std::size_t>(m)));
  }
  write_outputs(result, dir);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string sensitivity_table(const SensitivityResult& r) {
  const auto& plan = r.plan;
  std::ostringstream out;
  const bool morris = plan.method == "morris";
  out << (morris ? "Morris elementary effects" : "Sobol' indices") << ": " << plan.factors.size()
      << " factors, " << plan.rows << " design rows"
      << (plan.compare.empty() ? ""
                               : ", quantity = paired difference " + plan.compare.stem().string() +
                                     " - " + plan.base.name)
      << "; " << plan.base.replications << " replications per point, seed " << plan.base.seed
      << "; [95% bootstrap interval]\n";
  if (morris) {
    out << "mu* = mean |effect|, mu = mean effect, sigma = sd of the effects; an effect is the "
           "change in the metric across a factor's whole range\n";
  } else {
    out << "total = share of the variance due to the factor with all its interactions, first = "
           "alone\n";
  }
  std::size_t width = 6;
  for (const auto& f : plan.factors) width = std::max(width, f.key.size());
  for (const auto& ms : r.metrics) {
    out << "\n" << ms.metric;
    if (!ms.defined) {
      out << ": undefined at some design points (no indices)\n";
      continue;
    }
    out << (morris ? ", ranked by mu*" : ", ranked by total index") << "\n";
    // Effects in the metric's unit (RMB, percentage points); indices as fractions.
    auto show = [&](double v) {
      char buf[48];
      if (!morris) {
        std::snprintf(buf, sizeof buf, "%.3f", v);
      } else if (ms.unit == "fen") {
        return format_rmb(v);
      } else if (ms.unit == "share") {
        std::snprintf(buf, sizeof buf, "%.2f pts", 100 * v);
      } else {
        std::snprintf(buf, sizeof buf, "%.4g", v);
      }
      return std::string(buf);
    };
    for (std::size_t pos = 0; pos < ms.ranking.size(); ++pos) {
      const int f = ms.ranking[pos];
      const std::string& key = plan.factors[static_cast<std::size_t>(f)].key;
      std::string line = "  " + std::to_string(pos + 1) + ". " + key;
      line += std::string(width + 6 - std::min(width + 5, line.size()), ' ');
      for (const auto& i : ms.factors[static_cast<std::size_t>(f)]) {
        std::string cell =
            (i.name == "mu_star" ? std::string("mu*") : i.name) + " " + show(i.estimate);
        if (!std::isnan(i.lo)) cell += " [" + show(i.lo) + ", " + show(i.hi) + "]";
        line += cell + std::string(cell.size() < 40 ? 40 - cell.size() : 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
  }
  return out.str();
}

}  // namespace linksim
