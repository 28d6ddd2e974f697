// A scenario over its replications. Replications run concurrently when there
// are enough of them, otherwise one after another with a parallel demand
// phase; each uses its own seed stream, so results never depend on threads.
#include <omp.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <stdexcept>

#include "ensemble.hpp"
#include "linksim/simulation.hpp"
#include "metrics/finish.hpp"
#include "parallel.hpp"
#include "rng.hpp"
#include "world/build.hpp"
#include "world/world.hpp"

namespace linksim {

namespace {

// Mean and 95% interval over replications of every cell of one of their
// matrices (daily or monthly), in one pass; column j's interval within what
// columns[j] can take.
void cell_stats(const std::vector<ReplicationResult>& reps,
                Eigen::MatrixXd ReplicationResult::*matrix, const std::vector<ColumnInfo>& columns,
                Eigen::MatrixXd& mean, Eigen::MatrixXd& lo, Eigen::MatrixXd& hi) {
  if (reps.empty()) return;
  const Eigen::MatrixXd& first = reps.front().*matrix;
  mean.resize(first.rows(), first.cols());
  lo.resizeLike(mean);
  hi.resizeLike(mean);
  std::vector<double> values(reps.size());
  for (Eigen::Index i = 0; i < mean.rows(); ++i) {
    for (Eigen::Index j = 0; j < mean.cols(); ++j) {
      for (std::size_t r = 0; r < reps.size(); ++r) values[r] = (reps[r].*matrix)(i, j);
      const Interval iv = summarize(values, columns[static_cast<std::size_t>(j)]);
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
    result.metrics[m] = summarize(values, metric_info()[m]);
  }
  cell_stats(result.replications, &ReplicationResult::daily, daily_info(), result.daily_mean,
             result.daily_lo, result.daily_hi);
  cell_stats(result.replications, &ReplicationResult::monthly, monthly_info(), result.monthly_mean,
             result.monthly_lo, result.monthly_hi);
  cell_stats(result.replications, &ReplicationResult::quarterly, quarterly_info(),
             result.quarterly_mean, result.quarterly_lo, result.quarterly_hi);
  // By category: intent sessions (a count), then the share of needs met.
  std::vector<ColumnInfo> by_category;
  if (!result.replications.empty()) {
    for (Eigen::Index j = 0; j < result.replications.front().by_category.cols(); ++j) {
      by_category.push_back(j % 2 == 0 ? ColumnInfo{"intent_sessions", "count", ""}
                                       : ColumnInfo{"met_share", "share", ""});
    }
  }
  cell_stats(result.replications, &ReplicationResult::by_category, by_category,
             result.by_category_mean, result.by_category_lo, result.by_category_hi);
}

RunResult run(const Scenario& scenario, const RunOptions& options) {
  return run_shared_warmup({scenario}, options).front();
}

namespace {

// The scenario with only what its warm-up reads: no name, the events in force
// on some warm-up day (v2's recurring ones always: they repeat there), only
// the policy entries in force before the start.
Scenario warmup_view(Scenario s) {
  s.name.clear();
  s.source.clear();
  std::vector<Event> in_warmup;
  for (const auto& e : s.events) {
    if (!e.every.empty() || e.from < s.calendar.start) in_warmup.push_back(e);
  }
  s.events = in_warmup;
  s.sweep.clear();
  std::vector<PolicyEntry> before;
  for (const auto& p : s.policy) {
    if (p.from < s.calendar.start) before.push_back(p);
  }
  if (before.empty() && !s.policy.empty()) before.push_back(s.policy.front());
  s.policy = before;
  return s;
}

}  // namespace

bool same_warmup(const Scenario& a, const Scenario& b) {
  return a.calendar.warmup_days > 0 && to_yaml(warmup_view(a)) == to_yaml(warmup_view(b));
}

std::vector<RunResult> run_shared_warmup(const std::vector<Scenario>& scenarios,
                                         const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Scenario& first = scenarios.front();
  const int reps =
      std::max(1, options.replications > 0 ? options.replications : first.replications);
  std::vector<RunResult> results(scenarios.size());
  long days_total = static_cast<long>(reps) * first.calendar.warmup_days;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    RunResult& r = results[i];
    r.scenario = scenarios[i];
    r.version = version();
    r.commit = git_commit();
    r.months = detail::month_labels(scenarios[i]);
    r.quarters = detail::quarter_labels(scenarios[i]);
    r.replications.resize(reps);
    days_total += static_cast<long>(reps) * scenarios[i].calendar.days;
  }
  const int threads = std::max(1, options.threads);
  // Replications side by side when they can fill the threads; else threads inside each.
  // With partition_buyers the ranks step every world together, day by day,
  // exchanging demand from the main thread: one replication at a time.
  // Under MPI this rank runs replications rank, rank + size, ...; every rank
  // then holds every result (a failure on any rank stops all of them). With
  // partition_buyers every rank runs every replication, on its buyers.
  Ensemble& ensemble = detail::ensemble_of(options);
  const bool spread = !options.partition_buyers && !options.local;
  const int step = spread ? ensemble.size() : 1;
  std::vector<int> mine;
  for (int r = spread ? ensemble.rank() : 0; r < reps; r += step) mine.push_back(r);
  const int outer =
      options.partition_buyers ? 1 : std::max(1, std::min(threads, static_cast<int>(mine.size())));
  const int inner = std::max(1, threads / outer);
  omp_set_max_active_levels(2);  // so that `inner` threads can run inside a replication
  std::atomic<int> finished{0};
  std::atomic<long> days_done{0};
  std::mutex progress_mutex;
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
  auto advance = [&](Simulation& sim, bool warmup_only) {
    while (!sim.done() && !(warmup_only && sim.day() >= 0)) {
      const int signal = options.cancel != nullptr ? options.cancel->load() : 0;
      // A split world stops on every rank on the same day, or none would.
      if (options.partition_buyers ? ensemble.any(signal != 0) : signal != 0) {
        throw Cancelled(signal != 0 ? signal : SIGTERM);
      }
      sim.step();
      report(finished.load(), ++days_done);
    }
  };
  // Model v2: the buyer slots of the shared world bound every scenario's
  // arrivals (more unborn slots than a scenario needs change none of its
  // results: arrivals fill the slots in order).
  std::int64_t slots = 0;
  for (const auto& s : scenarios) slots = std::max(slots, detail::buyer_slots(s));
  if (ensemble.size() > 1 && options.partition_buyers) {
    const auto slice =
        detail::buyer_slice(slots, detail::demand_chunk, ensemble.rank(), ensemble.size());
    spdlog::debug("MPI rank {} of {} holds buyer slots [{}, {}) of {}", ensemble.rank(),
                  ensemble.size(), slice.first, slice.end, slots);
  } else if (ensemble.size() > 1 && spread) {
    spdlog::debug("MPI rank {} of {} runs replications {}", ensemble.rank(), ensemble.size(),
                  fmt::join(mine, ", "));
  }
  std::exception_ptr failure;
  try {
    detail::parallel_for(static_cast<std::int64_t>(mine.size()), outer, [&](std::int64_t i) {
      const int r = mine[static_cast<std::size_t>(i)];
      Simulation base(first, detail::replication_seed(first.seed, r), inner,
                      options.partition_buyers ? &ensemble : nullptr, slots);
      if (scenarios.size() > 1) advance(base, true);
      // Every scenario but the first continues from a copy of
      // the warmed world; the first from the world itself.
      for (std::size_t k = 1; k < scenarios.size(); ++k) {
        Simulation sim(scenarios[k], base);
        advance(sim, false);
        results[k].replications[r] = sim.result(r);
      }
      advance(base, false);
      results[0].replications[r] = base.result(r);
      report(++finished, days_done.load());
    });
  } catch (...) {
    failure = std::current_exception();
  }
  if (options.local || options.partition_buyers) {
    // Alone: the caller agrees with the others. A split world: the other
    // ranks wait in the day's exchange, so the failure ends the job (main).
    if (failure) std::rethrow_exception(failure);
  } else {
    if (ensemble.any(failure != nullptr)) {
      if (failure) std::rethrow_exception(failure);
      throw std::runtime_error("another MPI rank failed; its message is above");
    }
    if (spread) {
      for (auto& r : results) ensemble.share(r.replications);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& r : results) {
    aggregate(r);
    r.seconds = seconds / static_cast<double>(results.size());
  }
  return results;
}

}  // namespace linksim
