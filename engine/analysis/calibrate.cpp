// `linksim calibrate`: fit free keys so that the model's monthly or quarterly
// metrics reproduce an observed series.
//
// The loss at a point is the weighted mean, over the target's rows, of the
// squared scaled error (model replication mean - target) / scale, where a
// row's scale is its metric's typical size (the RMS of the metric's target
// values); sqrt(loss) is thus an RMS relative error. Every evaluation runs the
// scenario's seed (common random numbers), so the loss is a deterministic
// function of the keys and a derivative-free optimiser (NLopt) can compare
// points without the noise of different random streams. The optimiser works
// in the unit box (each key's range scaled to [0, 1]).
//
// The fitted values' intervals resample replications: each resample moves
// the rows' means, and the Jacobian of the rows in the keys at the fit
// (central differences) turns that into the Gauss-Newton refit; the spread of
// the refits is the uncertainty that a finite number of replications leaves
// in the fit (not the observations' own errors, which the target does not give).
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlopt.hpp>

#include "analysis/calibration.hpp"
#include "analysis/target.hpp"
#include "metrics/files.hpp"
#include "rng.hpp"
#include "scenario/keys.hpp"

namespace linksim {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A key's value in a resolved scenario (to_yaml), by its dotted path.
YAML::Node node_at(const YAML::Node& root, const std::string& path,
                   std::size_t* seq_depth = nullptr) {
  YAML::Node at = YAML::Clone(root);
  std::size_t start = 0, depth = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string seg = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (at.IsSequence()) {
      if (seq_depth != nullptr && *seq_depth == 0) *seq_depth = depth;
      at = at[static_cast<std::size_t>(std::stoul(seg))];
    } else {
      at = at[seg];
    }
    ++depth;
    if (dot == std::string::npos) return at;
    start = dot + 1;
  }
}

}  // namespace

CalibrationPlan plan_calibration(const fs::path& file, const std::vector<std::string>& overrides,
                                 const std::vector<std::string>& free, const fs::path& target) {
  CalibrationPlan plan;
  plan.file = file;
  plan.overrides = overrides;
  plan.base = load_scenario(file, overrides, free, Vary::calibration);
  const Calibration& c = plan.base.calibration;
  plan.free = c.free;
  std::vector<std::string> problems;
  if (plan.free.empty()) {
    problems.push_back(file.string() +
                       ":1:1: calibration: nothing to fit (expected --free KEY=FROM:TO, or "
                       "calibration.free in the scenario)");
  }
  if (!target.empty()) {
    plan.target_file = target;
  } else if (!c.target.empty()) {
    plan.target_file = (file.parent_path() / c.target).lexically_normal();
  } else {
    problems.push_back(file.string() +
                       ":1:1: calibration: no target (expected --target OBSERVED.csv, or "
                       "calibration.target in the scenario)");
  }
  if (!plan.target_file.empty()) {
    try {
      plan.target = detail::read_target(plan.target_file, plan.base);
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  plan.text = detail::read_text(file);
  const YAML::Node resolved = YAML::Load(to_yaml(plan.base));
  for (const auto& f : plan.free) {
    detail::KeyType type = detail::KeyType::real;
    detail::key_type_of(f.key, type);
    plan.integer.push_back(type == detail::KeyType::integer);
    double v = nan;
    try {
      v = node_at(resolved, f.key).as<double>();
    } catch (const YAML::Exception&) {
    }
    plan.start.push_back(v >= f.from && v <= f.to ? v : 0.5 * (f.from + f.to));
  }
  return plan;
}

Scenario calibration_point(const CalibrationPlan& plan, const std::vector<double>& values) {
  std::vector<std::string> sets = plan.overrides, free;
  for (std::size_t k = 0; k < plan.free.size(); ++k) {
    const auto& f = plan.free[k];
    sets.push_back(f.key + "=" + factor_value(values[k]));
    // The plan's free keys replace the file's, as they did when it was made.
    free.push_back(f.key + "=" + factor_value(f.from) + ":" + factor_value(f.to));
  }
  return load_scenario_text(plan.text, plan.file, sets, free, Vary::calibration);
}

namespace detail {

Evaluator::Evaluator(const CalibrationPlan& plan, const RunOptions& options)
    : plan_(plan), options_(options) {}

std::vector<double> Evaluator::values(const std::vector<double>& unit) const {
  std::vector<double> v(unit.size());
  for (std::size_t k = 0; k < unit.size(); ++k) {
    const auto& f = plan_.free[k];
    v[k] = f.from + std::clamp(unit[k], 0.0, 1.0) * (f.to - f.from);
    if (plan_.integer[k]) v[k] = std::round(v[k]);
    // The value as the scenario is given it (12 significant digits), so that
    // the reported fit is the one run, and calibrated.yaml reproduces it.
    v[k] = std::strtod(factor_value(v[k]).c_str(), nullptr);
  }
  return v;
}

const Point& Evaluator::at(const std::vector<double>& unit) {
  const std::vector<double> v = values(unit);
  std::string key;
  for (double x : v) key += factor_value(x) + ",";
  if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  RunOptions o = options_;
  o.run_index = runs_;
  o.run_count = std::max(runs_ + 1, expected_runs);
  o.runs_done = runs_;
  const RunResult r = run(calibration_point(plan_, v), o);
  ++runs_;
  Point p;
  p.values = v;
  const auto n = static_cast<Eigen::Index>(plan_.target.size());
  p.reps.resize(n, static_cast<Eigen::Index>(r.replications.size()));
  for (std::size_t rep = 0; rep < r.replications.size(); ++rep) {
    const auto x = target_values(plan_.target, r.replications[rep].monthly);
    for (Eigen::Index i = 0; i < n; ++i) p.reps(i, static_cast<Eigen::Index>(rep)) = x[i];
  }
  p.loss = loss(p.reps);
  return cache_.emplace(key, std::move(p)).first->second;
}

double Evaluator::loss(const Eigen::MatrixXd& reps) const {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < plan_.target.size(); ++i) {
    const auto& t = plan_.target[i];
    const double mean = reps.row(static_cast<Eigen::Index>(i)).mean();
    // A value the model leaves undefined (a share of no sales) counts as an
    // error of one scale.
    const double e = std::isfinite(mean) ? (mean - t.value) / t.scale : 1.0;
    num += t.weight * e * e;
    den += t.weight;
  }
  return num / den;
}

namespace {

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

Intervals fit_intervals(const CalibrationPlan& plan, Evaluator& model,
                        const std::vector<double>& best_unit, int bootstrap, std::uint64_t seed) {
  const std::size_t k = plan.free.size();
  const auto n = static_cast<Eigen::Index>(plan.target.size());
  const Eigen::MatrixXd x0 = model.at(best_unit).reps;
  const Eigen::Index reps = x0.cols();
  // Each row's weight and scale: the loss is |a step + b|^2 in these units.
  double total = 0;
  for (const auto& t : plan.target) total += t.weight;
  Eigen::VectorXd unit(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    unit(i) = std::sqrt(plan.target[i].weight / total) / plan.target[i].scale;
  }
  // A row the model leaves undefined (a share of no sales) at the fit or a
  // neighbour, in any replication, is left out of the Jacobian and the refits.
  auto mean_of = [&](const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& idx) {
    Eigen::VectorXd m = Eigen::VectorXd::Zero(n);
    for (auto r : idx) m += x.col(r);
    m /= static_cast<double>(idx.size());
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(m(i))) unit(i) = 0;
    }
    return Eigen::VectorXd(m.unaryExpr([](double v) { return std::isfinite(v) ? v : 0.0; }));
  };
  std::vector<Eigen::Index> all(static_cast<std::size_t>(reps));
  for (Eigen::Index r = 0; r < reps; ++r) all[static_cast<std::size_t>(r)] = r;
  // The Jacobian of the scaled rows in the unit keys at the fit, by central
  // differences of the replication means (one-sided at a bound); an integer
  // key steps by at least 1.
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, static_cast<Eigen::Index>(k));
  for (std::size_t j = 0; j < k; ++j) {
    const auto& f = plan.free[j];
    const double h = plan.integer[j] ? std::max(0.05, 1.0 / (f.to - f.from)) : 0.05;
    std::vector<double> up = best_unit, down = best_unit;
    up[j] = std::min(1.0, up[j] + h);
    down[j] = std::max(0.0, down[j] - h);
    const Point& hi = model.at(up);
    const Point& lo = model.at(down);
    const double step = (hi.values[j] - lo.values[j]) / (f.to - f.from);
    if (step == 0) continue;
    a.col(static_cast<Eigen::Index>(j)) = (mean_of(hi.reps, all) - mean_of(lo.reps, all)) / step;
  }
  // Scaled and weighted, once every undefined row is known (and left out);
  // resampled replications of a row undefined at the fit count for nothing.
  for (Eigen::Index r = 0; r < reps; ++r) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(x0(i, r))) unit(i) = 0;
    }
  }
  a = unit.asDiagonal() * a;

  Intervals out;
  out.lo.assign(k, nan);
  out.hi.assign(k, nan);
  out.identified.assign(k, true);
  // A key the target does not move with, alone or in a combination with the
  // others, is not identified: it lies in the Jacobian's (near) null space.
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeFullV);
  const Eigen::VectorXd sv = svd.singularValues();
  const double largest = sv.size() > 0 ? sv(0) : 0.0;
  for (Eigen::Index c = 0; c < static_cast<Eigen::Index>(k); ++c) {
    const double s = c < sv.size() ? sv(c) : 0.0;
    if (s > 1e-6 * largest && s > 0) continue;
    for (std::size_t j = 0; j < k; ++j) {
      if (std::abs(svd.matrixV()(static_cast<Eigen::Index>(j), c)) > 0.3) out.identified[j] = false;
    }
  }
  if (reps < 2 || bootstrap <= 0) return out;
  // Resampling the replications moves the rows' means by d; the fit moves by
  // the least-squares step that undoes it, -a+ (unit * d) (Gauss-Newton at
  // the fit, the Jacobian held).
  const Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> solver(a);
  const Eigen::VectorXd centre = mean_of(x0, all);
  std::vector<std::vector<double>> refits(k);
  Stream rng(seed, 0);
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(reps));
  for (int s = 0; s < bootstrap; ++s) {
    for (auto& r : idx) r = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(reps)));
    const Eigen::VectorXd d = unit.cwiseProduct(mean_of(x0, idx) - centre);
    const Eigen::VectorXd move = -solver.solve(d);
    for (std::size_t j = 0; j < k; ++j) {
      const auto& f = plan.free[j];
      const double u = std::clamp(best_unit[j] + move(static_cast<Eigen::Index>(j)), 0.0, 1.0);
      refits[j].push_back(f.from + u * (f.to - f.from));
    }
  }
  for (std::size_t j = 0; j < k; ++j) {
    if (!out.identified[j]) continue;
    out.lo[j] = percentile(refits[j], 0.025);
    out.hi[j] = percentile(refits[j], 0.975);
  }
  return out;
}

}  // namespace detail

}  // namespace linksim
