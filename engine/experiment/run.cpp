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

// Mean and 95% interval over replications of every cell of one of their
// matrices (daily or monthly), in one pass.
void cell_stats(const std::vector<ReplicationResult>& reps,
                Eigen::MatrixXd ReplicationResult::*matrix, Eigen::MatrixXd& mean,
                Eigen::MatrixXd& lo, Eigen::MatrixXd& hi) {
  if (reps.empty()) return;
  const Eigen::MatrixXd& first = reps.front().*matrix;
  mean.resize(first.rows(), first.cols());
  lo.resizeLike(mean);
  hi.resizeLike(mean);
  std::vector<double> values(reps.size());
  for (Eigen::Index i = 0; i < mean.rows(); ++i) {
    for (Eigen::Index j = 0; j < mean.cols(); ++j) {
      for (std::size_t r = 0; r < reps.size(); ++r) values[r] = (reps[r].*matrix)(i, j);
      const Interval iv = summarize(values);
      mean(i, j) = iv.mean;
      lo(i, j) = iv.lo;
      hi(i, j) = iv.hi;
    }
  }
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
  cell_stats(result.replications, &ReplicationResult::daily, result.daily_mean, result.daily_lo,
             result.daily_hi);
  cell_stats(result.replications, &ReplicationResult::monthly, result.monthly_mean,
             result.monthly_lo, result.monthly_hi);
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
  auto report = [&](int done, long days) {
    if (!options.progress) return;
    Progress p;
    p.days_done = days;
    p.days_total = days_total;
    p.replications_done = done;
    p.replications_total = reps;
    p.run = options.run_index;
    p.runs = options.run_count;
    p.runs_done = options.runs_done;
    p.fraction = options.work_total > 0
                     ? static_cast<double>(options.work_before + days) / options.work_total
                     : static_cast<double>(days) / std::max(1L, days_total);
    std::lock_guard lock(progress_mutex);
    options.progress(p);
  };
  detail::parallel_for(reps, outer, [&](std::int64_t rep) {
    const int r = static_cast<int>(rep);
    Simulation sim(scenario, detail::replication_seed(scenario.seed, r), inner);
    while (!sim.done()) {
      if (options.cancel != nullptr && options.cancel->load() != 0) {
        throw Cancelled(options.cancel->load());
      }
      sim.step();
      report(finished.load(), ++days_done);
    }
    result.replications[r] = sim.result(r);
    report(++finished, days_done.load());
  });
  aggregate(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace linksim
