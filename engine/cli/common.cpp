#include "cli/common.hpp"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "metrics/files.hpp"
#include "world/build.hpp"

namespace linksim::cli {

namespace {
std::unique_ptr<Ensemble>& current_ensemble() {
  static std::unique_ptr<Ensemble> e = std::make_unique<Ensemble>();
  return e;
}
}  // namespace

Ensemble& ensemble() { return *current_ensemble(); }
void use_ensemble(std::unique_ptr<Ensemble> e) { current_ensemble() = std::move(e); }

void add_scenario_options(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--set", o.sets,
                 "Override a scenario key, KEY=VALUE with VALUE read as YAML (repeatable), "
                 "e.g. --set population.buyers=1000000");
  cmd.add_option("--seed", o.seed, "Master seed (overrides the scenario's seed)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const bool digits =
                !v.empty() && v.size() <= 20 &&
                std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits && (v.size() < 20 || v <= "18446744073709551615")) return "";
            return "expected a whole number from 0 to 18446744073709551615, got '" + v + "'";
          },
          "SEED"));
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
      // Only what would help: one world at a time when several are built at once.
      problem = what + "; nothing was run (use " +
                (m.concurrent > 1 ? "--threads 1 to build one world at a time, " : "") +
                "fewer buyers (or a smaller population.scale), or --force to run anyway)";
    }
  }
  // Under mpirun each rank checks its own node's memory: all stop if one must.
  const std::string first = first_problem(ensemble(), problem);
  if (first.empty()) return true;
  if (ensemble().writes_files()) spdlog::error("{}", first);
  return false;
}

double buyer_days(const Scenario& s) {
  return static_cast<double>(detail::buyer_slots(s)) * (s.calendar.days + s.calendar.warmup_days) *
         s.replications;
}

bool work_fits(const std::string& what, double work, int threads, const CommonOptions& o) {
  // Buyer-days a second on one thread: docs/performance.md measures 30 to 33
  // million on the project's 2-core machines; 20 million leaves room for a
  // slower one, so that a refused command would really have taken that long.
  constexpr double per_thread = 20e6;
  constexpr double limit_hours = 24;
  const double hours = work / (per_thread * std::max(1, threads)) / 3600;
  std::string problem;
  if (hours > limit_hours) {
    const std::string text = fmt::format(
        "{}: about {:.3g} buyer-days, some {:.0f} hours at {:.0f} million buyer-days a second "
        "per thread on {}",
        what, work, hours, per_thread / 1e6, count_of(threads, "thread"));
    if (o.force) {
      spdlog::warn("{}; running anyway (--force)", text);
    } else {
      problem = text + fmt::format(
                           "; nothing was run (over the limit of {:.0f} hours: fewer points, "
                           "samples, evaluations, replications or buyers (population.scale), "
                           "or --force to run anyway)",
                           limit_hours);
    }
  }
  const std::string first = first_problem(ensemble(), problem);
  if (first.empty()) return true;
  if (ensemble().writes_files()) spdlog::error("{}", first);
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
  const std::string first = first_problem(ensemble(), problem);
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

bool design_fits(const Scenario& base, const std::string& what, double points,
                 const CommonOptions& o) {
  return memory_fits(base, run_options(o), o) &&
         work_fits(fmt::format("{} of {} ({:.0f} points)", what, base.name, points),
                   buyer_days(base) * points, thread_count(o), o);
}

RunOptions run_options(const CommonOptions& o) {
  RunOptions opts;
  opts.threads = thread_count(o);
  opts.ensemble = &ensemble();
  return opts;
}

std::size_t stdout_columns() {
  winsize ws{};
  if (::isatty(STDOUT_FILENO) == 0) return 0;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

namespace {

// Columns of the terminal on stderr (COLUMNS, then 80, when it does not say).
int terminal_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS"); c != nullptr && std::atoi(c) > 0) {
    return std::atoi(c);
  }
  return 80;
}

std::size_t columns(const std::string& s) { return detail::display_width(s); }

}  // namespace

std::string progress_line(const std::string& label, double frac, const std::string& where,
                          double elapsed, const std::string& eta, int width) {
  // Within width - 1 columns (a full line would wrap on some terminals):
  // the bar shrinks first, then the elapsed time goes, then the place, then
  // the label is cut.
  const std::size_t room = static_cast<std::size_t>(std::max(width - 1, 10));
  const std::string pct = fmt::format("{:3.0f}%", 100 * frac);
  std::string name = label;
  bool with_where = true, with_elapsed = true;
  for (;;) {
    const std::string tail = (with_where ? "  " + where : std::string()) +
                             (with_elapsed ? fmt::format("  {:.0f}s elapsed, ", elapsed) : "  ") +
                             eta;
    const std::size_t fixed = columns(name) + 4 + columns(pct) + columns(tail);  // " [" "] "
    const std::size_t bar = fixed < room ? std::min<std::size_t>(30, room - fixed) : 0;
    if (bar >= 10 || (!with_where && !with_elapsed && name.empty())) {
      const auto fill = static_cast<std::size_t>(frac * static_cast<double>(bar));
      std::string line = name + (name.empty() ? "[" : " [") + std::string(fill, '#') +
                         std::string(bar - std::min(fill, bar), ' ') + "] " + pct + tail;
      while (columns(line) > room) line.pop_back();
      return line;
    }
    if (with_elapsed) {
      with_elapsed = false;
    } else if (with_where) {
      with_where = false;
    } else {
      // Cut the label's last character (a whole UTF-8 sequence).
      while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) {
        name.pop_back();
      }
      if (!name.empty()) name.pop_back();
    }
  }
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
      const std::string line = progress_line(label, frac, where, elapsed, eta, terminal_width());
      std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
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
