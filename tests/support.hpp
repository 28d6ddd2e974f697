// Scenarios and helpers shared by the tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/math/distributions/students_t.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "linksim/scenario.hpp"
#include "linksim/simulation.hpp"

namespace linksim::test {

inline std::filesystem::path source_dir() { return LINKSIM_SOURCE_DIR; }

// A path under the temporary folder, unique to this process (ctest runs tests
// in parallel, and two checkouts may run their suites at once).
inline std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         (name + "_" + std::to_string(static_cast<long>(::getpid())));
}

// A bundled scenario's path, e.g. bundled("open_links.yaml").
inline std::string bundled(const std::string& name) {
  return (source_dir() / "scenarios" / name).string();
}

// The same small world as --set overrides (for the library's load and plan
// functions), with `replications` replications.
inline std::vector<std::string> small_sets(int days, int replications = 2) {
  return {"population.buyers=3000",
          "buyers.arrivals.per_day=6",
          "population.merchants=80",
          "population.streamers=20",
          "calendar.days=" + std::to_string(days),
          "calendar.warmup_days=10",
          "replications=" + std::to_string(replications)};
}

// Command-line flags for a small, quick world of `days` days, 2 replications, quiet.
inline std::string small_flags(int days) {
  // Model v2's arrivals in proportion (scenarios/platform.yaml: 400 a day
  // for 200,000 buyers).
  return "--set population.buyers=3000 --set buyers.arrivals.per_day=6 "
         "--set population.merchants=80 "
         "--set population.streamers=20 --set calendar.days=" +
         std::to_string(days) + " --set calendar.warmup_days=10 --replications 2 --quiet";
}

// A whole file as a string.
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The linksim binary run through the shell: exit code, stdout and stderr together.
struct Output {
  int code = -1;
  std::string text;
};
// A shell command (stderr joined to stdout): exit code and output.
inline Output shell(const std::string& cmd) {
  Output out;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out.text += buf.data();
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}
inline Output linksim(const std::string& args, const std::string& env = "") {
  return shell((env.empty() ? "" : "env " + env + " ") + std::string(LINKSIM_BINARY) + " " + args);
}

// The same with environment variables, "NAME=VALUE ...".
inline Output linksim_env(const std::string& env, const std::string& args) {
  return linksim(args, env);
}

// The binary started in the background (output discarded); returns its pid.
inline pid_t start_linksim(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(LINKSIM_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::FILE* null = std::fopen("/dev/null", "w");
    ::dup2(fileno(null), 1);
    ::dup2(fileno(null), 2);
    ::execv(LINKSIM_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

inline RunOptions threads(int n) {
  RunOptions o;
  o.threads = n;
  return o;
}

// A scenario from YAML text; `extends` resolves against scenarios/.
inline Scenario scenario_from(const std::string& yaml,
                              const std::vector<std::string>& overrides = {}) {
  return load_scenario_text(yaml, source_dir() / "scenarios" / "test.yaml", overrides);
}

// A small world of the default model, fast enough for sanitizer builds.
inline Scenario small_world(const std::string& extra = "",
                            const std::vector<std::string>& overrides = {}) {
  return scenario_from(
      "extends: base.yaml\n"
      "name: small\n"
      "replications: 3\n"
      "calendar: { start: 2022-01-01, days: 75, warmup_days: 20 }\n"
      "population: { buyers: 6000, merchants: 150, streamers: 40 }\n" +
          extra,
      overrides);
}

// The homogeneous world with a closed form: one category at its reference
// price, identical merchants (quality 0.5, so Q = 1) with unlimited stock,
// always on time, identical buyers, no trust penalties, no entry or exit,
// every streamer live, and carts longer than the browse depth. Each session
// then browses exactly browse_depth listings, each an order with probability
// conversion.base times the day's demand (times the external-link factor).
inline std::string homogeneous_yaml() {
  return R"(
name: homogeneous
replications: 8
calendar: { start: 2022-01-01, days: 30, warmup_days: 0 }
population: { buyers: 20000, merchants: 40, streamers: 10 }
categories:
  - { name: only, ref_price: 100, price_sigma: 0, demand_weight: 1,
      origin_mix: { native: 1, taobao: 1, jd: 1 } }
buyers:
  session_rate: 0.5
  session_rate_spread: 0
  preference_concentration: 0
  follows: 0
  follow_share: 0
  video_share: 0.5
  browse_depth: 4
  max_orders_per_session: 4
  price_elasticity_spread: 0
  trust: { stockout_penalty: 0, late_penalty: 0, recovery: 0 }
conversion: { base: 0.05, jump_loss: 0.4, no_app_factor: 0.3 }
streamers: { live_rate: 1, cart_size: 8, categories: 1, quality_noise: 0 }
merchants:
  origin_mix: { native: 1, taobao: 0, jd: 0 }
  commission_spread: 0
  quality: { mean: 0.5, sd: 0 }
  stock: { unlimited: true }
  on_time: { native: 1, taobao: 1, jd: 1 }
  fixed_cost_monthly: 0
  patience_months: 1000
  exit_hazard_monthly: 0
  idle_exit_months: 1000
  entry: { native_per_day: 0, external_per_day: 0 }
platform: { pool_quality_threshold: 0 }
policy:
  - { from: 2020-01-01, taobao: { live: true, video: true }, jd: { live: true, video: true } }
)";
}

}  // namespace linksim::test

#include "linksim/result.hpp"

namespace linksim::test {

inline int daily_column(const std::string& name) {
  const auto& cols = daily_info();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// A replication's metric by name.
inline double metric(const ReplicationResult& r, const std::string& name) {
  for (std::size_t i = 0; i < metric_info().size(); ++i) {
    if (metric_info()[i].name == name) return r.metrics[i];
  }
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

// The closed-form checks (tests/day/closed_form*_test.cpp): the 99.9%
// Student-t interval of the replications' mean contains `expected` and is
// narrower than 10% of it, so that a real bias still fails.
inline void expect_within(Interval iv, double expected, const std::string& what) {
  const boost::math::students_t t(iv.n - 1);
  const double half = boost::math::quantile(boost::math::complement(t, 0.0005)) * iv.sd /
                      std::sqrt(static_cast<double>(iv.n));
  iv.lo = iv.mean - half;
  iv.hi = iv.mean + half;
  EXPECT_LE(iv.lo, expected) << what << ": mean " << iv.mean << " [" << iv.lo << ", " << iv.hi
                             << "], expected " << expected;
  EXPECT_GE(iv.hi, expected) << what << ": mean " << iv.mean << " [" << iv.lo << ", " << iv.hi
                             << "], expected " << expected;
  // The interval is informative: narrower than 10% of the value.
  EXPECT_LT(iv.hi - iv.lo, 0.10 * expected) << what;
}

// The interval over replications of a daily column's mean over days [first, last].
inline Interval daily_mean(const RunResult& r, const std::string& column, int first, int last) {
  const int c = daily_column(column);
  std::vector<double> per_rep;
  for (const auto& rep : r.replications) {
    per_rep.push_back(rep.daily.col(c).segment(first, last - first + 1).mean());
  }
  return summarize(per_rep);
}

}  // namespace linksim::test
