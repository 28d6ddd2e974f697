// What report.cpp (the page, runs), comparison.cpp, sweep.cpp, analysis.cpp
// (sensitivity, calibration) and bayes.cpp (posterior, forecast) share while
// building report.html.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "linksim/result.hpp"

namespace linksim::detail {

// The page under construction: data for its script, and its HTML pieces.
struct Report {
  nlohmann::json runs = nlohmann::json::array();
  nlohmann::json differences = nlohmann::json::array();  // comparisons' paired series by day
  nlohmann::json sweeps = nlohmann::json::array();
  nlohmann::json sensitivities = nlohmann::json::array();
  nlohmann::json calibrations = nlohmann::json::array();
  nlohmann::json posteriors = nlohmann::json::array();
  nlohmann::json forecasts = nlohmann::json::array();
  std::string verdict;   // HTML: the answer, first on the page
  std::string sources;   // HTML list items
  std::string tables;    // HTML sections, before the charts of runs and sweeps
  std::string analyses;  // HTML sections with their own charts, last
  std::string title;     // ", "-joined names of the analyses
};

// A JSON file, or an error naming it.
nlohmann::json read_json(const std::filesystem::path& p);
// Text for HTML: < > & " escaped.
std::string html(const std::string& s);
// A scenario key's value as written in a scenario: up to 4 significant digits.
std::string plain(const nlohmann::json& v);
// A JSON number, or NaN where it is missing or not a number.
double number(const nlohmann::json& j, const char* key);
// A period's place in time: "YYYY-MM" and "YYYY-Qn" sort as text within each form.
bool period_before(const nlohmann::json& a, const nlohmann::json& b);
// A fit's rows grouped by metric, in the order the metrics first appear, each
// group in time order.
std::vector<std::pair<std::string, std::vector<nlohmann::json>>> fit_by_metric(
    const nlohmann::json& fit);

// A CSV line's cells (the output files quote nothing); a trailing comma
// gives a last empty cell.
std::vector<std::string> split_csv_line(const std::string& line);

// The paired daily difference of GMV and the store's share, per scenario
// against the baseline, in file order, from comparison_daily.csv's text:
// {"dates", "series": {metric: {"mean", "lo", "hi"}}, "units": {metric: unit}}
// (the report's chart, and linksim serve's).
std::vector<std::pair<std::string, nlohmann::json>> daily_differences(const std::string& csv);

// Reads dir/name and builds its section from it; a file without the fields
// a section needs is named as not one of this linksim's.
template <class Build>
void section_from(const std::filesystem::path& dir, const std::string& name, Build build) {
  const std::filesystem::path file = dir / name;
  const nlohmann::json j = read_json(file);
  try {
    build(j);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + " is not a " + name + " of this linksim (" + e.what() +
                             ")");
  }
}

// An interval as the output files write it (mean, sd, ci95_low, ci95_high,
// n); NaN for what is missing.
Interval interval_of(const nlohmann::json& j);
// The headline metrics of several runs side by side, with paired differences
// when `paired` (report.cpp).
std::string metrics_table(const std::vector<std::string>& names,
                          const std::vector<nlohmann::json>& metrics, bool paired);

// A run folder (summary.json, timeseries.csv), shown under `label`.
void add_run(Report& rep, const std::filesystem::path& dir, const std::string& label);
// A comparison folder (comparison.json, comparison_daily.csv and its runs'
// folders): the verdict first on the page, the paired table and the paired
// difference over time (comparison.cpp).
void add_comparison(Report& rep, const std::filesystem::path& dir);
// A sweep folder (sweep.json): every point's headline metrics and their
// paired difference to the point's baseline (sweep.cpp).
void add_sweep(Report& rep, const std::filesystem::path& dir);
// A sensitivity folder (sensitivity.json) and a calibration folder (calibration.json).
void add_sensitivity(Report& rep, const std::filesystem::path& dir);
void add_calibration(Report& rep, const std::filesystem::path& dir);
// An abc-smc calibration folder (posterior.json): marginals, pair plots, the fit.
void add_posterior(Report& rep, const std::filesystem::path& dir);
// A forecast folder (forecast.json): whole years, quarterly bands, the difference.
void add_forecast(Report& rep, const std::filesystem::path& dir);

}  // namespace linksim::detail
