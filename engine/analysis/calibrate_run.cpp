// Running a calibration: NLopt over the unit box from the scenario's values,
// the verdict (converged, or why not), the intervals, and the files.
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <nlopt.hpp>
#include <sstream>

#include "analysis/calibration.hpp"
#include "ensemble.hpp"
#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "rng.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

nlopt::algorithm algorithm_of(const std::string& method) {
  if (method == "neldermead") return nlopt::LN_NELDERMEAD;
  if (method == "sbplx") return nlopt::LN_SBPLX;
  return nlopt::LN_BOBYQA;
}

std::uint64_t bootstrap_seed(std::uint64_t seed) {
  return detail::mix64(seed ^ 0x63616C69627200ULL);
}

// The optimiser's end: true when it stopped on a tolerance, not on its budget.
bool stopped_on_tolerance(nlopt::result r, std::string& why, int budget) {
  switch (r) {
    case nlopt::STOPVAL_REACHED:
      why = "the loss reached 0";
      return true;
    case nlopt::FTOL_REACHED:
      why = "the loss stopped improving";
      return true;
    case nlopt::XTOL_REACHED:
      why = "the keys moved by less than 0.1% of their ranges";
      return true;
    case nlopt::SUCCESS:
      why = "the search's steps shrank below its tolerance";
      return true;
    case nlopt::MAXEVAL_REACHED:
      why = "used all " + std::to_string(budget) + " evaluations";
      return false;
    case nlopt::ROUNDOFF_LIMITED:
      why = "round-off limited the progress";
      return false;
    default:
      why = "the optimiser failed (NLopt code " + std::to_string(static_cast<int>(r)) + ")";
      return false;
  }
}

// The loss's minimum over the box, from the scenario's values.
struct Search {
  std::vector<double> best;  // unit box
  double best_loss = INFINITY;
  nlopt::result result = nlopt::FAILURE;
  std::vector<Evaluation> trace;
};

Search optimise(const CalibrationPlan& plan, detail::Evaluator& model) {
  const std::size_t k = plan.free.size();
  const Calibration& c = plan.base.calibration;
  Search s;
  std::vector<double> x(k);
  for (std::size_t j = 0; j < k; ++j) {
    x[j] = (plan.start[j] - plan.free[j].from) / (plan.free[j].to - plan.free[j].from);
  }
  s.best = x;
  // BOBYQA needs two dimensions; one key is searched with Nelder-Mead.
  const auto algorithm =
      k == 1 && c.method == "bobyqa" ? nlopt::LN_NELDERMEAD : algorithm_of(c.method);
  nlopt::opt opt(algorithm, static_cast<unsigned>(k));
  opt.set_lower_bounds(std::vector<double>(k, 0.0));
  opt.set_upper_bounds(std::vector<double>(k, 1.0));
  opt.set_initial_step(std::vector<double>(k, 0.2));
  opt.set_xtol_abs(1e-3);
  opt.set_stopval(0.0);
  opt.set_maxeval(c.evaluations);
  std::exception_ptr failure;
  struct Context {
    detail::Evaluator* model;
    Search* search;
    std::exception_ptr* failure;
    int budget;
  } ctx{&model, &s, &failure, c.evaluations};
  opt.set_min_objective(
      [](const std::vector<double>& u, std::vector<double>&, void* data) {
        auto& c = *static_cast<Context*>(data);
        try {
          const detail::Point& p = c.model->at(u);
          if (p.loss < c.search->best_loss) {
            c.search->best_loss = p.loss;
            c.search->best = u;
          }
          c.search->trace.push_back({p.values, p.loss, c.search->best_loss});
          std::string at;
          for (double v : p.values) at += (at.empty() ? "" : ", ") + fmt::format("{:.6g}", v);
          spdlog::info("evaluation {} (at most {}): ({}) RMS scaled error {:.2f}%, best {:.2f}%",
                       c.search->trace.size(), c.budget, at, 100 * std::sqrt(p.loss),
                       100 * std::sqrt(c.search->best_loss));
          return p.loss;
        } catch (...) {  // a cancelled run, an invalid point: rethrown after NLopt
          *c.failure = std::current_exception();
          throw nlopt::forced_stop();
        }
      },
      &ctx);
  try {
    double f = 0;
    s.result = opt.optimize(x, f);
  } catch (const nlopt::roundoff_limited&) {
    s.result = nlopt::ROUNDOFF_LIMITED;
  } catch (const std::exception&) {
    if (failure) std::rethrow_exception(failure);
    s.result = nlopt::FAILURE;
  }
  if (failure) std::rethrow_exception(failure);
  return s;
}

// The verdict on a finished search.
void judge(CalibrationResult& r, const Search& s) {
  const Calibration& c = r.plan.base.calibration;
  const bool settled = stopped_on_tolerance(s.result, r.stop, c.evaluations);
  const bool close = r.rms <= r.tolerance;
  r.converged = settled && close;
  if (r.converged) {
    r.message = "converged: RMS scaled error " + format_percent(r.rms) + " (tolerance " +
                format_percent(r.tolerance) + ") after " + std::to_string(r.optimiser_evaluations) +
                " evaluations; " + r.stop;
    return;
  }
  r.message = "did not converge: ";
  if (!close) {
    r.message += "the best fit misses the target by an RMS scaled error of " +
                 format_percent(r.rms) + " (tolerance " + format_percent(r.tolerance) + ")";
    const FitRow* worst = nullptr;
    for (const auto& f : r.fit) {
      if (worst == nullptr || !(std::abs(f.scaled_error) <= std::abs(worst->scaled_error))) {
        worst = &f;
      }
    }
    if (worst != nullptr) {
      r.message += "; worst " + worst->target.period + " " + worst->target.metric + ": target " +
                   detail::format_value(worst->target.value, worst->target.unit) + ", model " +
                   detail::format_value(worst->model, worst->target.unit);
    }
    for (const auto& k : r.keys) {
      if (k.at_bound) {
        r.message += "; " + k.key + " is at the " +
                     (k.value - k.from < k.to - k.value ? "lower" : "upper") + " end of its range";
      }
    }
    r.message += settled ? " (" + r.stop + ")" : "; " + r.stop;
    if (std::any_of(r.keys.begin(), r.keys.end(), [](const FittedKey& k) { return k.at_bound; })) {
      r.message += ": the target may lie beyond the free keys' ranges";
    }
  } else {
    r.message += r.stop + " with an RMS scaled error of " + format_percent(r.rms) +
                 " (allow more with --evaluations)";
  }
}

}  // namespace

CalibrationResult run_calibration(const CalibrationPlan& plan, const fs::path& dir,
                                  const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Calibration& c = plan.base.calibration;
  CalibrationResult r;
  r.plan = plan;
  r.method = plan.free.size() == 1 && c.method == "bobyqa" ? "neldermead" : c.method;
  r.tolerance = c.tolerance;
  detail::Evaluator model(plan, options);
  model.expected_runs = c.evaluations + 2 * static_cast<int>(plan.free.size());
  Search s = optimise(plan, model);
  r.trace = s.trace;
  r.optimiser_evaluations = static_cast<int>(s.trace.size());
  const detail::Point best = model.at(s.best);
  r.loss = best.loss;
  r.rms = std::sqrt(best.loss);
  for (std::size_t i = 0; i < plan.target.size(); ++i) {
    FitRow f;
    f.target = plan.target[i];
    const auto row = best.reps.row(static_cast<Eigen::Index>(i));
    const Interval iv = summarize(std::vector<double>(row.begin(), row.end()));
    f.model = row.mean();
    f.lo = iv.lo;
    f.hi = iv.hi;
    f.scaled_error = (f.model - f.target.value) / f.target.scale;
    r.fit.push_back(f);
  }
  const auto iv =
      detail::fit_intervals(plan, model, s.best, c.bootstrap, bootstrap_seed(plan.base.seed));
  for (std::size_t j = 0; j < plan.free.size(); ++j) {
    const auto& f = plan.free[j];
    FittedKey k;
    k.key = f.key;
    k.from = f.from;
    k.to = f.to;
    k.start = plan.start[j];
    k.value = best.values[j];
    k.lo = iv.lo[j];
    k.hi = iv.hi[j];
    k.identified = iv.identified[j];
    k.at_bound = std::min(k.value - f.from, f.to - k.value) <= 1e-3 * (f.to - f.from);
    r.keys.push_back(k);
  }
  judge(r, s);
  r.calibrated_yaml = detail::calibrated_yaml(r, dir);
  if (!dir.empty() && detail::ensemble_of(options).writes_files()) {
    detail::write_calibration(r, dir);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

void write_calibration(const CalibrationResult& r, const fs::path& dir) {
  CalibrationResult at = r;
  at.calibrated_yaml = detail::calibrated_yaml(r, dir);  // extends the scenario from `dir`
  detail::write_calibration(at, dir);
}

}  // namespace linksim
