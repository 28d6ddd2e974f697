// Paired comparison: every scenario runs with the same replication seeds, so
// replication r of each shares its random streams and the difference is
// measured per replication (common random numbers).
#include <boost/math/distributions/students_t.hpp>
#include <cctype>
#include <cmath>
#include <set>

#include "linksim/experiment.hpp"

namespace linksim {

std::vector<Difference> paired_differences(const RunResult& base, const RunResult& other) {
  std::vector<Difference> out(metric_info().size());
  const std::size_t n = std::min(base.replications.size(), other.replications.size());
  for (std::size_t m = 0; m < out.size(); ++m) {
    std::vector<double> diff(n);
    for (std::size_t r = 0; r < n; ++r) {
      diff[r] = other.replications[r].metrics[m] - base.replications[r].metrics[m];
    }
    Difference& d = out[m];
    d.diff = summarize(diff);
    // Unpaired (Welch) interval from the same runs, to show what pairing buys.
    const Interval& a = base.metrics[m];
    const Interval& b = other.metrics[m];
    d.unpaired.mean = b.mean - a.mean;
    d.unpaired.n = std::min(a.n, b.n);
    if (a.n >= 2 && b.n >= 2) {
      const double va = a.sd * a.sd / a.n, vb = b.sd * b.sd / b.n;
      const double se = std::sqrt(va + vb);
      const double dof = se > 0
                             ? (va + vb) * (va + vb) / (va * va / (a.n - 1) + vb * vb / (b.n - 1))
                             : a.n + b.n - 2.0;
      const boost::math::students_t t(std::max(1.0, dof));
      const double half = boost::math::quantile(boost::math::complement(t, 0.025)) * se;
      d.unpaired.sd = se;
      d.unpaired.lo = d.unpaired.mean - half;
      d.unpaired.hi = d.unpaired.mean + half;
    } else {
      d.unpaired.sd = d.unpaired.lo = d.unpaired.hi = std::nan("");
    }
    d.relative = a.mean != 0 ? d.diff.mean / a.mean : std::nan("");
    d.significant = d.diff.n >= 2 && (d.diff.lo > 0 || d.diff.hi < 0);
  }
  return out;
}

Comparison compare(std::vector<Scenario> scenarios, const RunOptions& options) {
  Comparison c;
  RunOptions opts = options;
  if (opts.replications <= 0) opts.replications = scenarios.front().replications;
  const std::uint64_t seed = scenarios.front().seed;
  for (auto& s : scenarios) {
    // Saved with each run, so that its scenario.yaml reproduces it.
    s.seed = seed;
    s.replications = opts.replications;
  }
  // The scenarios whose warm-up is the first one's (closed loop and open
  // links: the same world until the cut) run it once per replication.
  std::vector<std::size_t> shared{0}, alone;
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    const bool same = opts.share_warmup && same_warmup(scenarios[0], scenarios[i]);
    (same ? shared : alone).push_back(i);
  }
  auto work = [&](const Scenario& s, bool warmup) {
    return static_cast<long>(opts.replications) *
           (s.calendar.days + (warmup ? s.calendar.warmup_days : 0));
  };
  long shared_work = 0;  // one warm-up, then every sharing scenario's horizon
  std::vector<Scenario> group;
  for (std::size_t k = 0; k < shared.size(); ++k) {
    group.push_back(scenarios[shared[k]]);
    shared_work += work(group.back(), k == 0);
  }
  opts.run_count = static_cast<int>(alone.size() + 1);
  opts.work_total = shared_work;
  for (std::size_t i : alone) opts.work_total += work(scenarios[i], true);
  c.runs.resize(scenarios.size());
  std::vector<RunResult> results = run_shared_warmup(group, opts);
  for (std::size_t k = 0; k < shared.size(); ++k) c.runs[shared[k]] = std::move(results[k]);
  opts.work_before = shared_work;
  opts.runs_done = ++opts.run_index;
  for (std::size_t i : alone) {
    c.runs[i] = run(scenarios[i], opts);
    opts.work_before += work(scenarios[i], true);
    opts.runs_done = ++opts.run_index;
  }
  for (const auto& r : c.runs) c.differences.push_back(paired_differences(c.runs.front(), r));
  c.folders = comparison_folders(c);
  return c;
}

// Each run's folder is its scenario's name, unless that name is taken: by an
// earlier run (the same name, or one differing only in case, which is the
// same folder on a case-insensitive file system) or by a file the comparison
// writes beside the folders. Then the run's position is appended ("-2").
std::vector<std::string> comparison_folders(const Comparison& c) {
  const auto key = [](std::string name) {
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return name;
  };
  std::set<std::string> taken = {"comparison.json", "comparison.csv", "comparison_daily.csv",
                                 "report.html"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    std::string folder = c.runs[i].scenario.name;
    while (taken.count(key(folder)) != 0) folder.append("-").append(std::to_string(i + 1));
    taken.insert(key(folder));
    out.push_back(folder);
  }
  return out;
}

}  // namespace linksim
