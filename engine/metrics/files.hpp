// Helpers shared by the writers of runs, comparisons, sweeps and reports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linksim/experiment.hpp"
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
// Every replication's daily values, one row per replication and day, the
// columns of timeseries.csv without intervals (daily_replications.csv).
std::string daily_replications_csv(const RunResult& r);
// The paired difference day by day against the first run, one row per
// scenario (named by its folder), day and metric (comparison_daily.csv).
std::string comparison_daily_csv(const Comparison& c, const std::vector<std::string>& folders);
// Every column's unit, file by file (units.json).
nlohmann::json units_json();

// One unit for a row or column of a table: its label ("万 RMB", "%",
// "count", "days"), the factor a value is multiplied by to print it, and the
// decimals printed. Amounts take the scale of the smallest of `values` that
// is not zero, so that none reads as 0.00.
struct UnitScale {
  std::string label;
  double factor = 1;
  int decimals = 0;
};
UnitScale unit_scale(const std::string& unit, std::span<const double> values,
                     RmbUnits units = RmbUnits::chinese);
UnitScale unit_scale(const std::string& unit, std::initializer_list<double> values,
                     RmbUnits units = RmbUnits::chinese);
// "mean [lo, hi]" in a scale, without its label; `sign` puts "+" before
// positive numbers; decimals < 0: the scale's.
std::string in_scale(const Interval& iv, const UnitScale& u, bool sign = false, int decimals = -1);
// A paired difference in a scale: "+1.2 [0.3, 2.1] (+0.4%)*", with the
// digits a significant difference needs to read as not zero.
std::string difference_in_scale(const Difference& d, const UnitScale& u);
// |v| with `decimals` places and thousands separators, and v's sign: "-1,234.5".
std::string grouped(double v, int decimals);
// `s` padded to `width` display columns (CJK characters count as two), on
// the left when `right`.
std::string pad(const std::string& s, std::size_t width, bool right = false);

// A run's files (summary.json last) added to `files`.
void stage_run(Staged& files, const RunResult& r, const std::filesystem::path& dir);

// A number as CSV text: shortest form that reads back exactly; NaN as empty.
std::string csv_number(double v);
// {"mean", "sd", "ci95_low", "ci95_high", "n"}.
nlohmann::json interval_json(const Interval& iv);
// Why `p` cannot be read as an input file, or "" when it can: it does not
// exist, is a folder, is not a regular file (a FIFO, a device or a socket,
// which are never opened: reading one could block or never end), or is
// larger than `max_bytes`.
std::string input_file_problem(const std::filesystem::path& p, std::uintmax_t max_bytes);
// A whole file of at most `max_bytes`; throws std::runtime_error naming it
// and why when it cannot be read (input_file_problem).
std::string read_text(const std::filesystem::path& p, std::uintmax_t max_bytes = 1ull << 30);
// The offset of the first byte of `text` that is not valid UTF-8 (overlong
// forms, surrogates and code points past U+10FFFF included), or npos.
std::size_t invalid_utf8(std::string_view text);
// "LINE:COLUMN" (1-based, columns in bytes) of an offset of `text`.
std::string line_column(std::string_view text, std::size_t offset);
// 64-bit FNV-1a, as 16 hex digits: fingerprints and record checksums.
std::string fnv1a_hex(std::string_view text);

}  // namespace linksim::detail
