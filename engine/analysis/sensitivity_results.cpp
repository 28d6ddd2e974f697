// `linksim sensitivity` after its points are run: Morris or Sobol' indices of
// each headline metric over the design as run, where the quantity lies and
// whether it changes sign, and the files and table that say so.
#include "analysis/sensitivity_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "rng.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The seeds of the design and of the bootstrap: fixed functions of the
// scenario's seed, apart from the replications' streams.
std::uint64_t design_seed(std::uint64_t seed) { return mix64(seed ^ 0x64657369676E00ULL); }
std::uint64_t bootstrap_seed(std::uint64_t seed) { return mix64(seed ^ 0x626F6F7473747200ULL); }

json factors_json(const std::vector<SensitivityFactor>& factors) {
  json out = json::array();
  for (const auto& f : factors) out.push_back({{"key", f.key}, {"from", f.from}, {"to", f.to}});
  return out;
}

SignSpread spread_of(const SignSummary& s) {
  SignSpread out{s.min, s.max, s.mean, s.negative, s.positive, {}, {}, {}, {}, {}};
  for (Eigen::Index f = 0; f < s.lower.size(); ++f) {
    out.lower.push_back(s.lower(f));
    out.upper.push_back(s.upper(f));
    out.lower_rows.push_back(s.lower_rows(f));
    out.upper_rows.push_back(s.upper_rows(f));
    out.flips.push_back(s.flips(f));
  }
  return out;
}

// One metric's indices and ranking; `d` holds the Morris design as run.
MetricSensitivity analyse(const SensitivityPlan& plan, const SensitivityDesign& d,
                          const Eigen::MatrixXd& as_run, const std::vector<std::vector<double>>& q,
                          std::size_t m) {
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
    const auto ix = morris_indices(d.morris, y, boot, bseed);
    for (int f = 0; f < k; ++f) {
      out.factors[f] = {{"mu_star", ix.mu_star(f), ix.mu_star_lo(f), ix.mu_star_hi(f)},
                        {"mu", ix.mu(f), nan, nan},
                        {"sigma", ix.sigma(f), nan, nan}};
      rank_by[f] = ix.mu_star(f);
    }
  } else {
    const auto ix = sobol_indices(d.saltelli, y, boot, bseed);
    for (int f = 0; f < k; ++f) {
      out.factors[f] = {{"total", ix.total(f), ix.total_lo(f), ix.total_hi(f)},
                        {"first", ix.first(f), ix.first_lo(f), ix.first_hi(f)}};
      rank_by[f] = ix.total(f);
    }
  }
  for (double& v : rank_by) {
    if (std::isnan(v)) v = -INFINITY;  // a factor without effects ranks last
  }
  const double mean = y.mean();
  out.variance = (y.array() - mean).square().sum() / std::max(1.0, y.size() - 1.0);
  out.ranking.resize(static_cast<std::size_t>(k));
  std::iota(out.ranking.begin(), out.ranking.end(), 0);
  std::stable_sort(out.ranking.begin(), out.ranking.end(),
                   [&](int a, int b) { return rank_by[a] > rank_by[b]; });
  out.sign = spread_of(sign_summary(as_run, y));
  return out;
}

json sign_json(const SignSpread& s, const std::vector<SensitivityFactor>& factors, int rows) {
  json halves = json::object();
  for (std::size_t f = 0; f < factors.size(); ++f) {
    halves[factors[f].key] = {{"lower", s.lower[f]},
                              {"upper", s.upper[f]},
                              {"lower_rows", s.lower_rows[f]},
                              {"upper_rows", s.upper_rows[f]},
                              {"flips", static_cast<bool>(s.flips[f])}};
  }
  return {{"rows", rows},
          {"min", s.min},
          {"max", s.max},
          {"mean", s.mean},
          {"negative_share", s.negative},
          {"positive_share", s.positive},
          {"halves", halves}};
}

}  // namespace

SensitivityDesign sensitivity_design(const SensitivityPlan& plan) {
  SensitivityDesign d;
  const int k = static_cast<int>(plan.factors.size());
  const std::uint64_t seed = design_seed(plan.base.seed);
  if (plan.method == "morris") {
    d.morris = morris_design(k, plan.samples, plan.base.sensitivity.levels, seed);
  } else {
    d.saltelli = saltelli_design(k, plan.samples, seed);
  }
  return d;
}

Eigen::MatrixXd design_as_run(const SensitivityPlan& plan) {
  const auto k = static_cast<Eigen::Index>(plan.factors.size());
  Eigen::MatrixXd x(plan.rows, k);
  const std::size_t per_row = plan.compare.empty() ? 1 : 2;
  for (int r = 0; r < plan.rows; ++r) {
    const auto& values = plan.points.points[per_row * static_cast<std::size_t>(r)].values;
    for (Eigen::Index f = 0; f < k; ++f) {
      const auto& factor = plan.factors[static_cast<std::size_t>(f)];
      const double v = std::strtod(values[static_cast<std::size_t>(f)].c_str(), nullptr);
      x(r, f) = (v - factor.from) / (factor.to - factor.from);
    }
  }
  return x;
}

json sensitivity_manifest(const SensitivityPlan& plan) {
  const Scenario& base = plan.base;
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

void analyse_sensitivity(SensitivityResult& r) {
  const SensitivityPlan& plan = r.plan;
  SensitivityDesign design = sensitivity_design(plan);
  const Eigen::MatrixXd as_run = design_as_run(plan);
  r.skipped.assign(plan.factors.size(), 0);
  if (plan.method == "morris") {
    // Effects per step as taken: the rounded values, not the grid.
    design.morris.points = as_run;
    const int k = design.morris.factors;
    for (int t = 0; t < design.morris.trajectories; ++t) {
      for (int s = 0; s < k; ++s) {
        const int f = design.morris.moved[static_cast<std::size_t>(t * k + s)];
        const int row = t * (k + 1) + s + 1;
        if (as_run(row, f) == as_run(row - 1, f)) ++r.skipped[static_cast<std::size_t>(f)];
      }
    }
  }
  r.metrics.clear();
  for (int m : headline_indices()) {
    r.metrics.push_back(analyse(plan, design, as_run, r.quantity, static_cast<std::size_t>(m)));
  }
}

void write_sensitivity(const SensitivityResult& r, const fs::path& dir) {
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
    for (int m : headline_indices()) design << "," << csv_number(r.quantity[row][m]);
    design << "\n";
  }
  indices << "metric,unit,factor,index,estimate,ci95_low,ci95_high\n";
  json results = json::object();
  for (std::size_t i = 0; i < r.metrics.size(); ++i) {
    const MetricSensitivity& ms = r.metrics[i];
    json factors = json::object();
    for (std::size_t f = 0; f < ms.factors.size(); ++f) {
      json idx = json::object();
      for (const auto& i : ms.factors[f]) {
        indices << ms.metric << "," << ms.unit << "," << plan.factors[f].key << "," << i.name << ","
                << csv_number(i.estimate) << "," << csv_number(i.lo) << "," << csv_number(i.hi)
                << "\n";
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
    if (ms.defined) results[ms.metric]["sign"] = sign_json(ms.sign, plan.factors, plan.rows);
    // The quantity at each design row (sensitivity_design.csv's column), for
    // the report's chart of it against the top factor.
    json rows = json::array();
    const auto m = static_cast<std::size_t>(headline_indices()[i]);  // r.metrics' order
    for (int row = 0; row < plan.rows; ++row) {
      const double q = r.quantity[static_cast<std::size_t>(row)][m];
      rows.push_back(std::isfinite(q) ? json(q) : json());
    }
    results[ms.metric]["rows"] = rows;
  }
  json done = sensitivity_manifest(plan);
  done["status"] = "complete";
  if (plan.method == "morris") {
    json skipped = json::object();
    for (std::size_t f = 0; f < plan.factors.size(); ++f)
      skipped[plan.factors[f].key] = r.skipped[f];
    done["design"]["skipped_steps"] = skipped;
  }
  json values = json::array();
  for (int row = 0; row < plan.rows; ++row) {
    json v = json::array();
    for (const auto& x : plan.points.points[plan.compare.empty() ? row : 2 * row].values)
      v.push_back(std::strtod(x.c_str(), nullptr));
    values.push_back(v);
  }
  done["design"]["values"] = values;  // each row's factor values, in the axes' order
  done["quantity"] = plan.compare.empty()
                         ? "replication mean of each metric"
                         : "mean paired difference, compare scenario minus scenario";
  done["units"] =
      "money in fen (1/100 RMB); shares in [0, 1]; Morris effects per full range of a factor";
  done["results"] = results;
  Staged files;  // sensitivity.json, the mark of a finished analysis, last
  files.add(dir / "sensitivity_design.csv", design.str());
  files.add(dir / "sensitivity.csv", indices.str());
  files.add(dir / "sensitivity.json", done.dump(2) + "\n");
  files.commit();
}

}  // namespace linksim::detail

namespace linksim {

namespace {

// A value of the quantity in its unit: RMB; a share in percent, or a paired
// difference of shares in percentage points.
std::string quantity_text(double v, const std::string& unit, bool paired) {
  if (std::isnan(v)) return "n/a";
  if (unit == "fen") return format_rmb(v);
  char buf[48];
  if (unit == "share") {
    std::snprintf(buf, sizeof buf, paired ? "%.2f pts" : "%.2f%%", 100 * v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

// Where the quantity lies over the rows, whether it changes sign, and the
// mean in each half of each factor's range, in ranking order.
void sign_lines(std::ostringstream& out, const SensitivityPlan& plan, const MetricSensitivity& ms,
                std::size_t width) {
  const SignSpread& s = ms.sign;
  const bool paired = !plan.compare.empty();
  const std::string what = paired ? "the difference" : "the metric";
  const auto text = [&](double v) { return quantity_text(v, ms.unit, paired); };
  out << "  over the " << plan.rows << " design rows: " << text(s.min) << " to " << text(s.max)
      << ", mean " << text(s.mean) << "; ";
  if (s.negative > 0 && s.positive > 0) {
    out << "flips: " << what << " is negative in " << format_percent(s.negative, 0)
        << " of the design rows, positive in " << format_percent(s.positive, 0) << "\n";
  } else if (s.negative > 0 || s.positive > 0) {
    out << "no flip: " << what << " is " << (s.negative > 0 ? "negative" : "positive")
        << (s.negative + s.positive < 1 ? " or 0" : "") << " in every design row\n";
  } else {
    out << what << " is 0 in every design row\n";
  }
  out << "  mean over the rows in the lower / upper half of each factor's range:\n";
  for (int f : ms.ranking) {
    const auto i = static_cast<std::size_t>(f);
    std::string line = "    " + plan.factors[i].key;
    line += std::string(width + 6 - std::min(width + 5, line.size()), ' ');
    line += text(s.lower[i]) + " / " + text(s.upper[i]);
    if (s.flips[i]) line += "  (flips)";
    out << line << "\n";
  }
}

}  // namespace

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
    for (std::size_t f = 0; f < r.skipped.size(); ++f) {
      if (r.skipped[f] == 0) continue;
      out << "note: " << plan.factors[f].key << ": " << r.skipped[f] << " of " << plan.samples
          << " steps left its value as run unchanged (rounded to a whole number) and have no "
             "effect; they are left out\n";
    }
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
      if (std::isnan(v)) {
        return std::string("n/a");
      } else if (!morris) {
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
    sign_lines(out, plan, ms, width);
  }
  return out.str();
}

}  // namespace linksim
