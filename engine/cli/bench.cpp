// `linksim bench`: each configuration (buyers x threads) runs in a child
// process of its own, so that its peak memory is its own; the parent prints
// the table.
#include "linksim/bench.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/common.hpp"
#include "linksim/experiment.hpp"

namespace linksim::cli {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

Scenario bench_scenario(const BenchOptions& b, std::int64_t buyers) {
  return load_scenario(b.scenario, {"population.buyers=" + std::to_string(buyers),
                                    "calendar.days=" + std::to_string(b.days),
                                    "calendar.warmup_days=0", "replications=1"});
}

int child(const BenchOptions& b) {
  const BenchPoint p =
      bench_point(bench_scenario(b, b.buyers.front()), b.threads.front(), b.kernel_days);
  const nlohmann::json j{{"buyers", p.buyers},
                         {"threads", p.threads},
                         {"days", p.days},
                         {"setup_seconds", p.setup_seconds},
                         {"day_seconds", p.day_seconds},
                         {"total_seconds", p.total_seconds},
                         {"rate", p.buyer_days_per_second},
                         {"kernel_rate", p.kernel_buyer_days_per_second},
                         {"peak_rss_bytes", p.peak_rss_bytes}};
  std::cout << j.dump() << "\n";
  return exit_ok;
}

}  // namespace

int bench_command(const BenchOptions& b, const CommonOptions& o) {
  if (b.child) return child(b);
  try {
    bench_scenario(b, 1000);  // a bad --scenario fails here, once
  } catch (const ScenarioError& e) {
    std::cerr << problems_text(b.scenario, e);
    return exit_invalid;
  }
  std::array<char, 4096> exe{};
  const ssize_t n = ::readlink("/proc/self/exe", exe.data(), exe.size() - 1);
  if (n <= 0) throw std::runtime_error("cannot find the linksim binary (/proc/self/exe)");
  std::cout << "linksim bench: " << b.scenario << ", " << b.days
            << "-day runs from set-up to metrics, no warm-up, fastest of " << b.repeat << "; "
            << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " cores\n";
  std::printf("%12s %8s %14s %12s %10s %12s %14s %10s %10s\n", "buyers", "threads", "buyer-days/s",
              "s per day", "set-up s", "peak MB", "bytes/buyer", "kernel/s", "of kernel");
  nlohmann::json all = nlohmann::json::array();
  for (std::int64_t buyers : b.buyers) {
    for (int threads : b.threads) {
      // The child never starts MPI: under mpirun it would inherit the rank's
      // launcher variables and start as a second copy of that rank.
      const std::string cmd =
          "LINKSIM_MPI=0 " + std::string(exe.data(), static_cast<std::size_t>(n)) +
          " bench --child --scenario '" + b.scenario + "' --buyers " + std::to_string(buyers) +
          " --threads " + std::to_string(threads) + " --days " + std::to_string(b.days) +
          " --kernel-days " + std::to_string(b.kernel_days) + " --quiet";
      if (!o.quiet) spdlog::info("{} buyers, {} threads", buyers, threads);
      nlohmann::json j;  // the fastest run, with the fastest kernel of all runs
      double kernel_best = 0;
      for (int r = 0; r < b.repeat; ++r) {
        FILE* pipe = ::popen(cmd.c_str(), "r");
        std::string text;
        std::array<char, 4096> buf{};
        while (pipe != nullptr && std::fgets(buf.data(), buf.size(), pipe) != nullptr) {
          text += buf.data();
        }
        if (pipe == nullptr || ::pclose(pipe) != 0) {
          throw std::runtime_error("the benchmark of " + std::to_string(buyers) + " buyers on " +
                                   std::to_string(threads) + " threads failed");
        }
        auto run = nlohmann::json::parse(text);
        kernel_best = std::max(kernel_best, run["kernel_rate"].get<double>());
        if (j.is_null() || run["rate"].get<double>() > j["rate"].get<double>()) j = run;
      }
      j["kernel_rate"] = kernel_best;
      all.push_back(j);
      const double rate = j["rate"], kernel = j["kernel_rate"], rss = j["peak_rss_bytes"];
      std::printf("%12lld %8d %13.1fM %12.4f %10.2f %12.0f %14.0f %9.1fM %10.2f\n",
                  static_cast<long long>(buyers), threads, rate / 1e6,
                  j["day_seconds"].get<double>(), j["setup_seconds"].get<double>(), rss / 1e6,
                  rss / static_cast<double>(buyers), kernel / 1e6, rate / kernel);
      std::fflush(stdout);
    }
  }
  if (!b.json.empty() && ensemble().writes_files()) write_file_atomic(b.json, all.dump(2) + "\n");
  return exit_ok;
}

Command add_bench_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    BenchOptions opts;
  };
  const auto a = std::make_shared<Args>();
  a->opts.scenario = std::string(LINKSIM_SOURCE_DIR) + "/scenarios/open_links.yaml";
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure buyer-days per second, seconds per day and peak memory at several sizes and "
      "thread counts, next to a bare kernel on the same world");
  cmd->add_option("--scenario", a->opts.scenario, "Scenario to measure")->capture_default_str();
  cmd->add_option("--buyers", a->opts.buyers, "Buyer counts")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--threads", a->opts.threads, "Thread counts")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--days", a->opts.days, "Simulated days per run (no warm-up)")
      ->check(CLI::Range(1, 36600))
      ->capture_default_str();
  cmd->add_option("--kernel-days", a->opts.kernel_days, "Days of the bare kernel")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--repeat", a->opts.repeat,
                  "Runs per configuration; the fastest is reported (shared machines are noisy)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--json", a->opts.json, "Also write the figures to this JSON file");
  cmd->add_flag("--child", a->opts.child, "(internal) one configuration, as JSON")->group("");
  return {cmd, [a, &o] { return bench_command(a->opts, o); }};
}

}  // namespace linksim::cli
