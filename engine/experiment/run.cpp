// A scenario over its replications. Replications run concurrently when there
// are enough of them, otherwise one after another with a parallel demand
// phase; each uses its own seed stream, so results never depend on threads.
#include <omp.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "linksim/simulation.hpp"
#include "metrics/finish.hpp"
#include "parallel.hpp"
#include "rng.hpp"

namespace linksim {

namespace {

Eigen::MatrixXd stack_stat(const std::vector<Eigen::MatrixXd>& ms, int which) {
  if (ms.empty()) return {};
  Eigen::MatrixXd out(ms[0].rows(), ms[0].cols());
  std::vector<double> values(ms.size());
  for (Eigen::Index i = 0; i < out.rows(); ++i) {
    for (Eigen::Index j = 0; j < out.cols(); ++j) {
      for (std::size_t r = 0; r < ms.size(); ++r) values[r] = ms[r](i, j);
      const Interval iv = summarize(values);
      out(i, j) = which == 0 ? iv.mean : (which == 1 ? iv.lo : iv.hi);
    }
  }
  return out;
}

}  // namespace

void aggregate(RunResult& result) {
  const auto n_metrics = metric_info().size();
  result.metrics.assign(n_metrics, {});
  std::vector<double> values(result.replications.size());
  for (std::size_t m = 0; m < n_metrics; ++m) {
    for (std::size_t r = 0; r < result.replications.size(); ++r) {
      values[r] = result.replications[r].metrics[m];
    }
    result.metrics[m] = summarize(values);
  }
  std::vector<Eigen::MatrixXd> daily, monthly;
  for (const auto& r : result.replications) {
    daily.push_back(r.daily);
    monthly.push_back(r.monthly);
  }
  result.daily_mean = stack_stat(daily, 0);
  result.daily_lo = stack_stat(daily, 1);
  result.daily_hi = stack_stat(daily, 2);
  result.monthly_mean = stack_stat(monthly, 0);
  result.monthly_lo = stack_stat(monthly, 1);
  result.monthly_hi = stack_stat(monthly, 2);
}

RunResult run(const Scenario& scenario, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  result.scenario = scenario;
  result.version = version();
  result.commit = git_commit();
  result.months = detail::month_labels(scenario);
  const int reps =
      std::max(1, options.replications > 0 ? options.replications : scenario.replications);
  result.replications.resize(reps);
  const int threads = std::max(1, options.threads);
  // Replications side by side when they can fill the threads; else threads inside each.
  const int outer = std::min(threads, reps);
  const int inner = std::max(1, threads / outer);
  omp_set_max_active_levels(2);  // so that `inner` threads can run inside a replication
  std::atomic<int> finished{0};
  std::atomic<long> days_done{0};
  std::mutex progress_mutex;
  const long days_total =
      static_cast<long>(reps) * (scenario.calendar.days + scenario.calendar.warmup_days);
  detail::parallel_for(reps, outer, [&](std::int64_t rep) {
    const int r = static_cast<int>(rep);
    Simulation sim(scenario, detail::replication_seed(scenario.seed, r), inner);
    while (!sim.done()) {
      sim.step();
      const long d = ++days_done;
      if (options.progress) {
        std::lock_guard lock(progress_mutex);
        options.progress(finished.load(), reps, d, days_total);
      }
    }
    result.replications[r] = sim.result(r);
    const int done = ++finished;
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      options.progress(done, reps, days_done.load(), days_total);
    }
  });
  aggregate(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace linksim
