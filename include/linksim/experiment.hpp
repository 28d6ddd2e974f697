// Comparing scenarios with common random numbers, and writing results.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
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
  std::vector<std::string> folders;                  // each run's subfolder of the output folder
};
// One subfolder name per run: the scenario name, with its position appended
// when an earlier run has the same name.
std::vector<std::string> comparison_folders(const Comparison& c);

// Runs every scenario with the first one's seed and replication count, so
// that replication r of each shares its random streams.
Comparison compare(std::vector<Scenario> scenarios, const RunOptions& options);
// Differences of already-run results (same seeds and replication counts).
std::vector<Difference> paired_differences(const RunResult& base, const RunResult& other);

// A sweep: every point of the cartesian product of a scenario's sweep axes,
// each run with the base seed (common random numbers across points).
struct SweepPoint {
  int index = 0;
  std::vector<std::string> values;  // one per axis, as YAML scalars
  Scenario scenario;                // the base with the point's values set
};
struct SweepPlan {
  Scenario base;
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;
  std::string fingerprint;  // of linksim's version and every point's resolved scenario
};
// Loads the scenario (with --set overrides and --vary axes, which replace its
// sweep block) and resolves every point; throws ScenarioError listing every
// problem, or when there is nothing to vary.
SweepPlan plan_sweep(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                     const std::vector<std::string>& vary);

struct SweepPointResult {
  std::vector<std::vector<double>> replications;  // [replication][metric]
  std::vector<std::uint64_t> seeds;
  std::vector<Interval> metrics;  // over replications, metric_info() order
  bool resumed = false;           // read from an earlier run's record
};
struct SweepResult {
  SweepPlan plan;
  std::vector<SweepPointResult> points;
  double seconds = 0;  // spent running points in this call
};

// Thrown when `dir` holds a different sweep (other axes, scenario, overrides or
// linksim version); the message says what differs.
struct SweepMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs the points `dir` holds no valid record of, recording each in
// dir/points/ as soon as it finishes (a damaged record is run again), then
// writes sweep.csv, sweep_summary.csv and, last, sweep.json. Run again after
// an interruption, it ends with the same files as an uninterrupted run.
// With `dir` empty nothing is read or written: the results are in memory
// only, and write_sweep writes them where the caller decides.
SweepResult run_sweep(const SweepPlan& plan, const std::filesystem::path& dir,
                      const RunOptions& options);
// sweep.csv, sweep_summary.csv and, last, sweep.json of a sweep (what
// run_sweep writes into its folder).
void write_sweep(const SweepResult& r, const std::filesystem::path& dir);
// `width` > 0: the columns available (a terminal's); a table wider than that
// is printed as a block per point instead. 0: always the table.
std::string sweep_table(const SweepResult& r, std::size_t width = 0);

// Files. Each is written to a temporary name and renamed into place.
void write_run(const RunResult& result, const std::filesystem::path& dir);
void write_comparison(const Comparison& c, const std::filesystem::path& dir);
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Readable tables: headline metrics with their 95% intervals, RMB amounts.
std::string run_table(const RunResult& result);
std::string monthly_table(const RunResult& result);
// `width` > 0: the columns available (a terminal's); a table wider than that
// is printed as a block per metric instead. 0: always the table.
std::string comparison_table(const Comparison& c, std::size_t width = 0);
// How large amounts are named: 亿 (1e8) and 万 (1e4), or bn, M and k for a
// page that must read without CJK fonts.
enum class RmbUnits { chinese, ascii };
// An amount of fen as RMB, in 亿 or 万 (or bn, M or k) where large, with
// thousands separators.
std::string format_rmb(double fen, RmbUnits units = RmbUnits::chinese);
// A count and its noun, singular or plural: "1 replication", "2 replications".
std::string count_of(long long n, const std::string& singular);
// A share as a percentage with `decimals` decimals: 0.123 -> "12.3%".
std::string format_percent(double share, int decimals = 1);
// "mean [lo, hi]" in the unit ("fen", "share", "count" or "days").
std::string format_metric(const Interval& iv, const std::string& unit,
                          RmbUnits units = RmbUnits::chinese);
// A paired difference: "+x [lo, hi] (+r%)*" (shares in percentage points).
std::string format_paired(const Difference& d, const std::string& unit,
                          RmbUnits units = RmbUnits::chinese);

// report.html from the output folders of run, compare, sweep, sensitivity or calibrate: charts
// (Chart.js, inlined), tables and the sources, self-contained and offline.
std::string report_html(const std::vector<std::filesystem::path>& folders);
void write_report(const std::vector<std::filesystem::path>& folders,
                  const std::filesystem::path& file);

}  // namespace linksim
