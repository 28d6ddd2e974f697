// Running a set of scenarios (sweep points, a sensitivity design) resumably:
// the folder's manifest says what is being run, and each finished point is
// recorded at once in dir/points/NNNNNN.json with a checksum, so that a second
// call runs only what is missing or damaged.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "linksim/experiment.hpp"

namespace linksim::detail {

// Throws SweepMismatch when dir/manifest_file describes other points than
// `now` (their "fingerprint" differs); says what differs.
void check_same_points(const std::filesystem::path& dir, const std::string& manifest_file,
                       const nlohmann::json& now);

// A point's payload (from its record, or from the MPI rank that ran it) as
// its result; false (with the reason) when it is for another point or damaged.
bool parse_point_payload(const SweepPlan& plan, int i, const nlohmann::json& payload,
                         SweepPointResult& out, std::string& why);

// Point i's record (the text of points/NNNNNN.json: payload and checksum) as
// its result; false (with the reason) when damaged, not JSON, not UTF-8 or
// for another point. Never throws on any text.
bool read_point_record(const SweepPlan& plan, int i, const std::string& text, SweepPointResult& out,
                       std::string& why);

// Runs every point of `plan` without an intact record in `dir`, writing
// `manifest_file` (status "running") first when absent; returns every
// point's replications and their summary, in plan order. With `dir` empty,
// nothing is read or written: every point runs, its result in memory only.
std::vector<SweepPointResult> run_points(const SweepPlan& plan, const std::filesystem::path& dir,
                                         const std::string& manifest_file,
                                         const nlohmann::json& now, const RunOptions& options);

}  // namespace linksim::detail
