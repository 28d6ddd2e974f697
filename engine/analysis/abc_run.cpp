// `linksim calibrate --method abc-smc`: the scenario's free keys as the unit
// cube of abc.hpp (a uniform prior is uniform in the key, a log-uniform one in
// its logarithm), each simulation one replication of the scenario at the
// point with the attempt's own seed, its summaries the target rows' values
// (target.hpp), and the files.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/abc.hpp"
#include "analysis/calibration.hpp"
#include "analysis/target.hpp"
#include "ensemble.hpp"
#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double key_value(const SensitivityFactor& f, double z) {
  if (f.prior == "log_uniform") {
    return std::exp(std::log(f.from) + z * (std::log(f.to) - std::log(f.from)));
  }
  return f.from + z * (f.to - f.from);
}

std::vector<double> key_values(const CalibrationPlan& plan, const std::vector<double>& unit) {
  std::vector<double> v(unit.size());
  for (std::size_t k = 0; k < unit.size(); ++k) {
    v[k] = key_value(plan.free[k], unit[k]);
    if (plan.integer[k]) v[k] = std::round(v[k]);
  }
  return v;
}

std::string fingerprint(const CalibrationPlan& plan) {
  const Calibration& c = plan.base.calibration;
  std::string text = plan.text + "\n--target\n" + detail::read_text(plan.target_file);
  for (const auto& o : plan.overrides) text += "\n--set " + o;
  for (const auto& f : plan.free) {
    text += fmt::format("\n--free {}={}:{}:{}", f.key, f.from, f.to, f.prior);
  }
  text +=
      fmt::format("\nparticles {} quantile {} seed {}", c.particles, c.quantile, plan.base.seed);
  return detail::fnv1a_hex(text);
}

// Weighted summaries of one column of the particles.
PosteriorKey summarise(const std::vector<double>& x, const std::vector<double>& w) {
  PosteriorKey k;
  double mean = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mean += w[i] * x[i];
  double var = 0;
  for (std::size_t i = 0; i < x.size(); ++i) var += w[i] * (x[i] - mean) * (x[i] - mean);
  std::vector<std::pair<double, double>> xw;
  for (std::size_t i = 0; i < x.size(); ++i) xw.emplace_back(x[i], w[i]);
  k.mean = mean;
  k.sd = std::sqrt(var);
  k.median = detail::weighted_quantile(xw, 0.5);
  k.q05 = detail::weighted_quantile(xw, 0.05);
  k.q25 = detail::weighted_quantile(xw, 0.25);
  k.q75 = detail::weighted_quantile(xw, 0.75);
  k.q95 = detail::weighted_quantile(xw, 0.95);
  return k;
}

std::string num(double v) { return detail::csv_number(v); }

// calibrated.yaml: the scenario at the posterior medians, extending the
// scenario by a path relative to `dir`.
std::string medians_yaml(const AbcResult& r, const fs::path& dir) {
  CalibrationResult point;
  point.plan = r.plan;
  point.converged = true;
  for (const auto& pk : r.keys) {
    FittedKey f;
    f.key = pk.key;
    f.value = pk.median;
    point.keys.push_back(f);
  }
  const std::string text = detail::calibrated_yaml(point, dir);
  return "# The posterior medians of an abc-smc calibration (posterior.json has the whole "
         "posterior; `linksim forecast --posterior` uses it).\n" +
         text.substr(text.find('\n', text.find('\n') + 1) + 1);
}

}  // namespace

void write_abc(const AbcResult& r, const fs::path& dir) {
  const auto& plan = r.plan;
  const std::string calibrated = medians_yaml(r, dir);
  std::ostringstream posterior, particles, generations, fit;
  std::string keys_header;
  for (const auto& k : plan.free) keys_header += "," + k.key;
  const int last = r.generations.empty() ? -1 : r.generations.back().generation;
  posterior << "particle" << keys_header << ",weight,distance\n";
  particles << "generation,particle" << keys_header << ",weight,distance\n";
  json values = json::array(), weights = json::array();
  int index = 0, prev = -1;
  for (const auto& p : r.particles) {
    index = p.generation == prev ? index + 1 : 0;
    prev = p.generation;
    particles << p.generation << "," << index;
    for (double v : p.values) particles << "," << num(v);
    particles << "," << num(p.weight) << "," << num(p.distance) << "\n";
    if (p.generation != last) continue;
    posterior << index;
    for (double v : p.values) posterior << "," << num(v);
    posterior << "," << num(p.weight) << "," << num(p.distance) << "\n";
    values.push_back(p.values);
    weights.push_back(p.weight);
  }
  generations << "generation,epsilon,attempts,simulated,accepted,acceptance,ess\n";
  json gens = json::array();
  for (const auto& g : r.generations) {
    generations << g.generation << "," << num(g.epsilon) << "," << g.attempts << "," << g.simulated
                << "," << g.accepted << "," << num(g.acceptance) << "," << num(g.ess) << "\n";
    gens.push_back({{"generation", g.generation},
                    {"epsilon", std::isfinite(g.epsilon) ? json(g.epsilon) : json("inf")},
                    {"attempts", g.attempts},
                    {"simulated", g.simulated},
                    {"accepted", g.accepted},
                    {"acceptance", g.acceptance},
                    {"ess", g.ess}});
  }
  fit << "period,metric,unit,target,weight,scale,median,q05,q95\n";
  json fit_json = json::array();
  for (const auto& f : r.fit) {
    const auto& t = f.target;
    fit << t.period << "," << t.metric << "," << t.unit << "," << num(t.value) << ","
        << num(t.weight) << "," << num(f.scale) << "," << num(f.median) << "," << num(f.q05) << ","
        << num(f.q95) << "\n";
    fit_json.push_back({{"period", t.period},
                        {"metric", t.metric},
                        {"unit", t.unit},
                        {"target", t.value},
                        {"weight", t.weight},
                        {"scale", f.scale},
                        {"median", f.median},
                        {"q05", f.q05},
                        {"q95", f.q95}});
  }
  json keys = json::array();
  for (const auto& k : r.keys) {
    keys.push_back({{"key", k.key},
                    {"prior", k.prior},
                    {"from", k.from},
                    {"to", k.to},
                    {"mean", k.mean},
                    {"sd", k.sd},
                    {"median", k.median},
                    {"q05", k.q05},
                    {"q25", k.q25},
                    {"q75", k.q75},
                    {"q95", k.q95}});
  }
  const Calibration& c = plan.base.calibration;
  json manifest{
      {"linksim", {{"version", version()}, {"commit", git_commit()}}},
      {"kind", "posterior"},
      {"scenario",
       {{"name", plan.base.name},
        {"file", plan.file.string()},
        {"seed", plan.base.seed},
        {"overrides", plan.overrides}}},
      {"target", {{"file", plan.target_file.string()}, {"rows", plan.target.size()}}},
      {"method", "abc-smc"},
      {"settings",
       {{"particles", c.particles},
        {"generations", c.generations},
        {"quantile", c.quantile},
        {"min_acceptance", c.min_acceptance}}},
      {"distance",
       "sqrt(sum_r w_r ((x_r - y_r) / s_r)^2 / sum_r w_r) over the target rows r: x the "
       "simulation's value, y the target's, w the row's weight, s its scale (the median "
       "absolute deviation x 1.4826 of the row over generation 0, the prior predictive)"},
      {"fingerprint", r.fingerprint},
      {"stop", r.stop},
      {"simulations", r.simulations + r.replayed},
      {"keys", keys},
      {"correlation", r.correlation},
      {"generations", gens},
      {"fit", fit_json},
      {"particles", {{"values", values}, {"weights", weights}}},
      {"units", "keys in their own units; target rows in fen (1/100 RMB), shares in [0, 1]"}};
  detail::Staged files;  // posterior.json, the mark of a finished calibration, last
  files.add(dir / "posterior.csv", posterior.str());
  files.add(dir / "abc_particles.csv", particles.str());
  files.add(dir / "abc_generations.csv", generations.str());
  files.add(dir / "abc_fit.csv", fit.str());
  files.add(dir / "calibrated.yaml", calibrated);
  files.add(dir / "posterior.json", manifest.dump(2) + "\n");
  files.commit();
}

AbcResult run_abc(const CalibrationPlan& plan, const fs::path& dir, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const Calibration& c = plan.base.calibration;
  AbcResult r;
  r.plan = plan;
  r.fingerprint = fingerprint(plan);
  detail::AbcProblem problem;
  problem.dims = static_cast<int>(plan.free.size());
  for (const auto& row : plan.target) {
    problem.observed.push_back(row.value);
    problem.weights.push_back(row.weight);
  }
  problem.simulate = [&](const std::vector<double>& unit, std::uint64_t seed) {
    const Scenario s = calibration_point(plan, key_values(plan, unit));
    Simulation sim(s, seed, 1);
    while (!sim.done()) {
      if (options.cancel != nullptr && options.cancel->load() != 0) {
        throw Cancelled(options.cancel->load());
      }
      sim.step();
    }
    return detail::target_values(plan.target, sim.result().monthly);
  };
  detail::AbcSettings settings;
  settings.particles = c.particles;
  settings.generations = c.generations;
  settings.quantile = c.quantile;
  settings.min_acceptance = c.min_acceptance;
  settings.seed = plan.base.seed;
  settings.threads = options.threads;
  settings.ensemble = options.ensemble;
  settings.cancel = options.cancel;
  settings.log = [](const std::string& line) { spdlog::info("{}", line); };
  if (options.progress) {
    settings.progress = [&](long done, long total) {
      Progress p;
      // A batch's simulations, each a replication at its own point.
      p.replications_done = static_cast<int>(done);
      p.replications_total = static_cast<int>(total);
      p.fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1;
      options.progress(p);
    };
  }
  // The journal makes a calibration with a folder resumable; without one,
  // nothing is read or written.
  std::unique_ptr<detail::AbcJournal> journal;
  if (!dir.empty()) {
    fs::create_directories(dir);
    journal = std::make_unique<detail::AbcJournal>(
        dir / "abc_journal.csv", r.fingerprint, problem.dims, static_cast<int>(plan.target.size()),
        true, detail::ensemble_of(options));
    if (journal->size() > 0) {
      spdlog::info("resuming from {}: {} simulations already done",
                   (dir / "abc_journal.csv").string(), journal->size());
    }
  }
  const detail::AbcOutcome out = detail::abc_smc(problem, settings, journal.get());
  r.stop = out.stop;
  r.simulations = out.simulations;
  r.replayed = out.replayed;
  for (std::size_t g = 0; g < out.generations.size(); ++g) {
    const auto& gen = out.generations[g];
    r.generations.push_back({static_cast<int>(g), gen.epsilon, gen.attempts, gen.simulated,
                             static_cast<int>(gen.unit.size()), gen.acceptance(), gen.ess()});
    for (std::size_t i = 0; i < gen.unit.size(); ++i) {
      r.particles.push_back({static_cast<int>(g), key_values(plan, gen.unit[i]), gen.weight[i],
                             gen.distance[i], gen.summary[i]});
    }
  }
  if (out.generations.empty()) {
    throw std::runtime_error("abc-smc: not even the prior's generation completed (" + out.stop +
                             ")");
  }
  // The last generation's posterior: summaries, correlations, the fit.
  const auto& last = out.generations.back();
  const std::size_t n = last.unit.size(), k = plan.free.size();
  std::vector<std::vector<double>> cols(k, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = key_values(plan, last.unit[i]);
    for (std::size_t j = 0; j < k; ++j) cols[j][i] = v[j];
  }
  for (std::size_t j = 0; j < k; ++j) {
    PosteriorKey pk = summarise(cols[j], last.weight);
    pk.key = plan.free[j].key;
    pk.prior = plan.free[j].prior;
    pk.from = plan.free[j].from;
    pk.to = plan.free[j].to;
    r.keys.push_back(pk);
  }
  r.correlation.assign(k, std::vector<double>(k, 0.0));
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b) {
      double cov = 0;
      for (std::size_t i = 0; i < n; ++i) {
        cov += last.weight[i] * (cols[a][i] - r.keys[a].mean) * (cols[b][i] - r.keys[b].mean);
      }
      const double s = r.keys[a].sd * r.keys[b].sd;
      r.correlation[a][b] = s > 0 ? cov / s : (a == b ? 1.0 : 0.0);
    }
  }
  for (std::size_t row = 0; row < plan.target.size(); ++row) {
    std::vector<std::pair<double, double>> xw;
    for (std::size_t i = 0; i < n; ++i) xw.emplace_back(last.summary[i][row], last.weight[i]);
    r.fit.push_back({plan.target[row], detail::weighted_quantile(xw, 0.5),
                     detail::weighted_quantile(xw, 0.05), detail::weighted_quantile(xw, 0.95),
                     out.scale[row]});
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!dir.empty() && detail::ensemble_of(options).writes_files()) write_abc(r, dir);
  return r;
}

std::string abc_table(const AbcResult& r) {
  const auto& plan = r.plan;
  std::ostringstream out;
  out << "Bayesian calibration (abc-smc) of " << plan.base.name << " to "
      << plan.target_file.string() << " (" << plan.target.size()
      << (plan.target.size() == 1 ? " row" : " rows") << "): " << r.stop << "; "
      << r.simulations + r.replayed << " simulations"
      << (r.replayed > 0 ? fmt::format(" ({} from the journal)", r.replayed) : "") << "\n\n";
  std::vector<std::vector<std::string>> gens{
      {"generation", "tolerance", "accepted", "simulations", "acceptance", "ESS"}};
  for (const auto& g : r.generations) {
    gens.push_back({std::to_string(g.generation),
                    std::isfinite(g.epsilon) ? fmt::format("{:.3g}", g.epsilon) : "none",
                    std::to_string(g.accepted), std::to_string(g.simulated),
                    fmt::format("{:.1f}%", 100 * g.acceptance), fmt::format("{:.0f}", g.ess)});
  }
  out << detail::text_table(gens) << "\n";
  auto g = [](double v) { return fmt::format("{:.4g}", v); };
  std::vector<std::vector<std::string>> keys{
      {"key", "prior", "posterior median", "50% interval", "90% interval"}};
  for (const auto& k : r.keys) {
    keys.push_back({k.key, fmt::format("{} {} to {}", k.prior, g(k.from), g(k.to)), g(k.median),
                    fmt::format("[{}, {}]", g(k.q25), g(k.q75)),
                    fmt::format("[{}, {}]", g(k.q05), g(k.q95))});
  }
  out << detail::text_table(keys) << "\n";
  std::vector<std::vector<std::string>> fit{
      {"period", "metric", "target", "posterior predictive median", "90% interval"}};
  for (const auto& f : r.fit) {
    const auto& t = f.target;
    fit.push_back({t.period, t.metric, detail::format_value(t.value, t.unit),
                   detail::format_value(f.median, t.unit),
                   fmt::format("[{}, {}]", detail::format_value(f.q05, t.unit),
                               detail::format_value(f.q95, t.unit))});
  }
  out << detail::text_table(fit);
  return out.str();
}

}  // namespace linksim
