#include "cli/common.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "world/build.hpp"

namespace linksim::cli {

void add_scenario_options(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--set", o.sets,
                 "Override a scenario key, KEY=VALUE with VALUE read as YAML (repeatable), "
                 "e.g. --set population.buyers=1000000");
  cmd.add_option("--seed", o.seed, "Master seed (overrides the scenario's seed)");
  cmd.add_option("--replications", o.replications, "Replications (overrides the scenario's)")
      ->check(CLI::Range(1, 100000));
}

void add_vary_option(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--vary", o.vary,
                 "A sweep axis, KEY=v1,v2,... or KEY=FROM:TO:POINTS (repeatable; the points "
                 "are the cartesian product); replaces the scenario's sweep block");
}

bool memory_fits(const Scenario& s, const RunOptions& opts, const CommonOptions& o) {
  const MemoryEstimate m = estimate_memory(s, opts);
  const double gb = 1e9;
  std::string problem;
  if (!m.fits()) {
    const std::string what = fmt::format(
        "{}: {} needs about {:.1f} GB ({} replication{} at once x {:.1f} GB per world of {} "
        "buyer slots) but {:.1f} GB is available",
        s.source.string(), s.name, m.total / gb, m.concurrent, m.concurrent == 1 ? "" : "s",
        m.per_world / gb, detail::buyer_slots(s), m.available / gb);
    if (o.force) {
      spdlog::warn("{}; running anyway (--force)", what);
    } else {
      problem = what +
                "; nothing was run (use --threads 1 to build one world at a time, fewer buyers, "
                "or --force to run anyway)";
    }
  }
  // Under mpirun each rank checks its own node's memory: all stop if one must.
  const std::string first = first_problem(problem);
  if (first.empty()) return true;
  if (distributed_rank() == 0) spdlog::error("{}", first);
  return false;
}

void add_run_options(CLI::App& cmd, CommonOptions& o, const std::string& default_out) {
  cmd.add_option("--out", o.out, "Output folder (default " + default_out + ")");
  cmd.add_option("--threads", o.threads,
                 "Worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  cmd.add_flag("--report", o.report,
               "Also write report.html (charts, offline) in the output folder");
  cmd.add_flag("--force", o.force,
               "Run even when the memory estimate exceeds the machine's available memory");
}

std::vector<std::string> scenario_overrides(const CommonOptions& o) {
  std::vector<std::string> overrides = o.sets;
  if (!o.seed.empty()) overrides.push_back("seed=" + o.seed);
  if (o.replications > 0) overrides.push_back("replications=" + std::to_string(o.replications));
  return overrides;
}

std::string problems_text(const std::string& file, const ScenarioError& e) {
  std::string text;
  for (const auto& p : e.problems()) text += p + "\n";
  return text + fmt::format("{}: {} problem{}; nothing was run\n", file, e.problems().size(),
                            e.problems().size() == 1 ? "" : "s");
}

bool no_problem(const std::string& problem) {
  const std::string first = first_problem(problem);
  std::cerr << first;  // rank 0's stderr only: the others' streams are silenced
  return first.empty();
}

bool load(const std::string& file, const CommonOptions& o, Scenario& out, bool with_vary) {
  std::string problem;
  try {
    out =
        load_scenario(file, scenario_overrides(o), with_vary ? o.vary : std::vector<std::string>{});
  } catch (const ScenarioError& e) {
    problem = problems_text(file, e);
  }
  return no_problem(problem);
}

int thread_count(const CommonOptions& o) {
  if (o.threads > 0) return o.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::function<void(const Progress&)> progress_reporter(const CommonOptions& o,
                                                       const std::string& label,
                                                       const std::string& unit) {
  if (o.quiet) return {};
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto start = std::chrono::steady_clock::now();
  auto last = start - std::chrono::seconds(60);
  return [=](const Progress& p) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const bool end = p.replications_done == p.replications_total && p.run + 1 == p.runs;
    if (now - last < std::chrono::milliseconds(tty ? 100 : 5000) && !end) return;
    last = now;
    const double frac = std::clamp(p.fraction, 0.0, 1.0);
    // No ETA before 1% of the work: the first seconds include set-up and say little.
    const std::string eta =
        frac >= 0.01 ? fmt::format("ETA {:.0f}s", elapsed * (1 - frac) / frac) : "ETA ?";
    std::string where;
    if (p.runs > 1) {
      where = fmt::format("{} {}/{} ({} done), ", unit, p.run + 1, p.runs, p.runs_done);
    }
    where += fmt::format("replications {}/{}", p.replications_done, p.replications_total);
    if (tty) {
      const int width = 30;
      const int fill = static_cast<int>(frac * width);
      std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%%  %s  %.0fs elapsed, %s \x1b[K", label.c_str(),
                   fill, "##############################", width - fill, "", 100 * frac,
                   where.c_str(), elapsed, eta.c_str());
      std::fflush(stderr);
    } else {
      spdlog::info("{}: {:.0f}%, {}, {:.0f}s elapsed, {}", label, 100 * frac, where, elapsed, eta);
    }
  };
}

namespace {
std::atomic<int> received_signal{0};
extern "C" void on_signal(int sig) { received_signal.store(sig); }
}  // namespace

const std::atomic<int>* install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return &received_signal;
}

void end_progress(const CommonOptions& o) {
  if (!o.quiet && ::isatty(STDERR_FILENO) == 1) std::fprintf(stderr, "\n");
}

}  // namespace linksim::cli
