// Helpers shared by the writers of runs, comparisons, sweeps and reports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "linksim/result.hpp"

namespace linksim::detail {

// A number as CSV text: shortest form that reads back exactly; NaN as empty.
std::string csv_number(double v);
// {"mean", "sd", "ci95_low", "ci95_high", "n"}.
nlohmann::json interval_json(const Interval& iv);
// A whole file; throws std::runtime_error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& p);
// 64-bit FNV-1a, as 16 hex digits: fingerprints and record checksums.
std::string fnv1a_hex(std::string_view text);

}  // namespace linksim::detail
