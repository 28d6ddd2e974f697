#include "cli/common.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

namespace linksim::cli {

void add_scenario_options(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--set", o.sets,
                 "Override a scenario key, KEY=VALUE with VALUE read as YAML (repeatable), "
                 "e.g. --set population.buyers=1000000");
  cmd.add_option("--seed", o.seed, "Master seed (overrides the scenario's seed)");
  cmd.add_option("--replications", o.replications, "Replications (overrides the scenario's)")
      ->check(CLI::Range(1, 100000));
}

void add_run_options(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--out", o.out, "Output folder (default out/<scenario name>/)");
  cmd.add_option("--threads", o.threads,
                 "Worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
}

bool load(const std::string& file, const CommonOptions& o, Scenario& out) {
  std::vector<std::string> overrides = o.sets;
  if (!o.seed.empty()) overrides.push_back("seed=" + o.seed);
  if (o.replications > 0) overrides.push_back("replications=" + std::to_string(o.replications));
  try {
    out = load_scenario(file, overrides);
    return true;
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    std::cerr << file << ": " << e.problems().size() << " problem"
              << (e.problems().size() == 1 ? "" : "s") << "; nothing was run\n";
    return false;
  }
}

int thread_count(const CommonOptions& o) {
  if (o.threads > 0) return o.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::function<void(int, int, long, long)> progress_reporter(const CommonOptions& o,
                                                            const std::string& label) {
  if (o.quiet) return {};
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto start = std::chrono::steady_clock::now();
  auto last = start - std::chrono::seconds(60);
  return [=](int finished, int total, long done, long all) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const bool end = finished == total;
    if (now - last < std::chrono::milliseconds(tty ? 100 : 5000) && !end) return;
    last = now;
    const double frac = all > 0 ? static_cast<double>(done) / all : 1.0;
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    if (tty) {
      const int width = 30;
      const int fill = static_cast<int>(frac * width);
      std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%%  replications %d/%d  %.0fs elapsed, ETA %.0fs ",
                   label.c_str(), fill, "##############################", width - fill, "",
                   100 * frac, finished, total, elapsed, eta);
      std::fflush(stderr);
    } else {
      spdlog::info(
          "{}: {:.0f}% ({} of {} replication-days, {} of {} replications done), "
          "{:.0f}s elapsed, ETA {:.0f}s",
          label, 100 * frac, done, all, finished, total, elapsed, eta);
    }
  };
}

void end_progress(const CommonOptions& o) {
  if (!o.quiet && ::isatty(STDERR_FILENO) == 1) std::fprintf(stderr, "\n");
}

}  // namespace linksim::cli
