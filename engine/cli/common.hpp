// What every command shares: common flags, loading scenarios with their
// overrides, progress on stderr, and exit codes (0 ok, 1 failure while
// running, 2 invalid input).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "linksim/simulation.hpp"

namespace linksim::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_invalid = 2;

struct CommonOptions {
  std::string out;
  int replications = 0;
  int threads = 0;
  std::string seed;
  std::vector<std::string> sets;
  std::string log_level = "info";
  bool quiet = false;
};

// Adds --set, --seed and --replications (scenario options) to a command.
void add_scenario_options(CLI::App& cmd, CommonOptions& o);
// Adds --out and --threads (run options).
void add_run_options(CLI::App& cmd, CommonOptions& o);

// Loads a scenario with --set/--seed/--replications applied as overrides;
// prints every problem and returns false when it is invalid.
bool load(const std::string& file, const CommonOptions& o, Scenario& out);

int thread_count(const CommonOptions& o);
// Progress on stderr: a live bar on a terminal, a log line every few seconds
// otherwise, nothing with --quiet.
std::function<void(int, int, long, long)> progress_reporter(const CommonOptions& o,
                                                            const std::string& label);
void end_progress(const CommonOptions& o);

int run_command(const std::string& file, const CommonOptions& o);
int compare_command(const std::vector<std::string>& files, const CommonOptions& o);
int validate_command(const std::vector<std::string>& files, const CommonOptions& o);
int show_command(const std::string& file, const CommonOptions& o);
int schema_command(bool markdown);

}  // namespace linksim::cli
