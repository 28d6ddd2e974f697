// Comparing scenarios with common random numbers, and writing results.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "linksim/result.hpp"
#include "linksim/simulation.hpp"

namespace linksim {

// The paired difference of one metric between a scenario and the first one.
struct Difference {
  Interval diff;             // over replications of (this - first), same seeds
  Interval unpaired;         // Welch-style interval from the two samples, for contrast
  double relative = 0;       // mean difference / first scenario's mean
  bool significant = false;  // the paired interval excludes zero
};

struct Comparison {
  std::vector<RunResult> runs;
  std::vector<std::vector<Difference>> differences;  // [run][metric]; run 0 against itself
};

// Runs every scenario with the first one's seed and replication count, so
// that replication r of each shares its random streams.
Comparison compare(std::vector<Scenario> scenarios, const RunOptions& options);
// Differences of already-run results (same seeds and replication counts).
std::vector<Difference> paired_differences(const RunResult& base, const RunResult& other);

// Files. Each is written to a temporary name and renamed into place.
void write_run(const RunResult& result, const std::filesystem::path& dir);
void write_comparison(const Comparison& c, const std::filesystem::path& dir);
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Readable tables: headline metrics with their 95% intervals, RMB amounts.
std::string run_table(const RunResult& result);
std::string monthly_table(const RunResult& result);
std::string comparison_table(const Comparison& c);
// An amount of fen as RMB, in 亿 or 万 where large, with thousands separators.
std::string format_rmb(double fen);

}  // namespace linksim
