// Helpers shared by the writers of runs, comparisons, sweeps and reports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linksim/result.hpp"

namespace linksim {
struct Comparison;
}

namespace linksim::detail {

// Display columns of UTF-8 text as terminals show it: a CJK character (3
// bytes) counts as two.
std::size_t display_width(std::string_view text);

// Files written together: each goes to a temporary name when added (throwing,
// and removing what was added, when it cannot); commit() renames them into
// place in the order added. Destroyed uncommitted, it removes its temporaries,
// so a failure leaves the files of an earlier run untouched.
class Staged {
 public:
  Staged() = default;
  Staged(const Staged&) = delete;
  Staged& operator=(const Staged&) = delete;
  ~Staged();
  void add(const std::filesystem::path& path, const std::string& content);
  void commit();

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> files_;  // temp, final
};

// Every replication's monthly and quarterly values, one row per period,
// replication and metric with its unit (periods_long.csv).
std::string periods_long_csv(const RunResult& r);
// The paired difference day by day against the first run, one row per
// scenario (named by its folder), day and metric (comparison_daily.csv).
std::string comparison_daily_csv(const Comparison& c, const std::vector<std::string>& folders);
// Every column's unit, file by file (units.json).
nlohmann::json units_json();

// A run's files (summary.json last) added to `files`.
void stage_run(Staged& files, const RunResult& r, const std::filesystem::path& dir);

// A number as CSV text: shortest form that reads back exactly; NaN as empty.
std::string csv_number(double v);
// {"mean", "sd", "ci95_low", "ci95_high", "n"}.
nlohmann::json interval_json(const Interval& iv);
// A whole file; throws std::runtime_error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& p);
// 64-bit FNV-1a, as 16 hex digits: fingerprints and record checksums.
std::string fnv1a_hex(std::string_view text);

}  // namespace linksim::detail
