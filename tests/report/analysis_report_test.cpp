// report.html of the analyses in a real browser: the report of a Morris
// sensitivity (a paired difference) and a Sobol' one, and of a converged and
// a not converged calibration, load with no console messages, and every value
// the charts plot equals sensitivity.json's or calibration.json's through the
// scale factor the chart shows it in. The sign summary under each sensitivity
// chart is sign_summary_test.cpp's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "report/browser.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::count;
using test::expect_clean;
using test::expect_money_scale;
using test::expect_plotted;
using test::json_number;
using test::linksim;
using test::load_in_chromium;
using test::Output;
using test::Page;
using test::run_sensitivities;

TEST(AnalysisReport, SensitivityChartsPlotTheFilesIndices) {
  const auto [morris, sobol] = run_sensitivities("linksim_report");
  ASSERT_FALSE(testing::Test::HasFailure());
  const fs::path html = morris / "both.html";
  Output o =
      linksim("report " + morris.string() + " " + sobol.string() + " --out " + html.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(html);
  expect_clean(page);

  const std::vector<json> files{json::parse(test::read_file(morris / "sensitivity.json")),
                                json::parse(test::read_file(sobol / "sensitivity.json"))};
  // A chart for each metric that is defined and varies over the design; a note for the others.
  std::set<std::pair<int, std::string>> expected;
  std::size_t undefined = 0;
  for (int k = 0; k < 2; ++k) {
    for (const auto& [metric, r] : files[k]["results"].items()) {
      if (!r["defined"]) {
        ++undefined;
      } else if (r["variance"].get<double>() > 0) {
        expected.insert({k, metric});
      }
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(count(page.dom, "undefined at some design points, so it has no indices"), undefined);
  std::set<std::pair<int, std::string>> charted;
  int checked = 0;
  std::set<std::pair<int, std::string>> rows_charted;
  for (const auto& chart : page.rendered["charts"]) {
    ASSERT_FALSE(chart["datasets"].empty()) << chart["id"];
    const json& first = chart["datasets"][0]["key"];
    if (first["source"] == "design-rows") {
      // The quantity at each design row against the top-ranked factor: the
      // file's rows and design values, and the zero line for the paired
      // difference (the Morris analysis, k = 0).
      const int k = first["analysis"];
      const std::string metric = first["metric"];
      rows_charted.insert({k, metric});
      const json& r = files[k]["results"][metric];
      const std::string top = r["ranking"][0];
      std::size_t f = 0;
      while (files[k]["axes"][f]["key"] != top) ++f;
      const json& points = chart["datasets"][0]["data"];
      ASSERT_EQ(points.size(), r["rows"].size()) << chart["id"];
      for (std::size_t row = 0; row < points.size(); ++row) {
        EXPECT_EQ(points[row]["x"].get<double>(),
                  files[k]["design"]["values"][row][f].get<double>());
        expect_plotted(points[row]["y"], json_number(r["rows"][row]), chart["factor"].get<double>(),
                       chart["id"].get<std::string>());
      }
      EXPECT_EQ(chart["datasets"].size(), k == 0 ? 2u : 1u) << chart["id"];
      EXPECT_NE(chart["title"].get<std::string>().find("against " + top), std::string::npos);
      continue;
    }
    ASSERT_EQ(first["source"], "sensitivity") << chart["id"];
    const int k = first["analysis"];
    const std::string metric = first["metric"];
    charted.insert({k, metric});
    const bool is_morris = k == 0;
    const json& r = files[k]["results"][metric];
    // Bars in ranking order; mu* with its interval and sigma, or both Sobol' indices with theirs.
    EXPECT_EQ(chart["labels"], r["ranking"]) << chart["id"];
    EXPECT_EQ(chart["datasets"].size(), is_morris ? 4u : 6u) << chart["id"];
    const double factor = chart["factor"].get<double>();
    double largest = 0;
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      EXPECT_EQ(key["factors"], r["ranking"]);
      const std::string index = key["index"];
      const std::string stat = key["stat"];
      ASSERT_EQ(d["data"].size(), r["ranking"].size());
      for (std::size_t j = 0; j < d["data"].size(); ++j) {
        const json& ix = r["factors"][r["ranking"][j].get<std::string>()][index];
        const double v = stat == "estimate" ? json_number(ix["estimate"])
                                            : json_number(ix["ci95"][stat == "lo" ? 0 : 1]);
        expect_plotted(d["data"][j], v, factor, key.dump() + " " + std::to_string(j));
        if (!std::isnan(v)) largest = std::max(largest, std::fabs(v));
        ++checked;
      }
    }
    if (!is_morris) {
      EXPECT_EQ(factor, 1.0);
      EXPECT_EQ(chart["unit"], "fraction of the variance");
    } else if (r["unit"] == "share") {
      EXPECT_EQ(factor, 100.0);
      EXPECT_EQ(chart["unit"], "percentage points");
    } else if (r["unit"] == "fen") {
      expect_money_scale(chart, largest);
    }
    EXPECT_NE(chart["axis"].get<std::string>().find(chart["unit"].get<std::string>()),
              std::string::npos);
  }
  EXPECT_EQ(charted, expected);
  EXPECT_EQ(rows_charted, expected);
  EXPECT_GT(checked, 60);
  // What the quantity is, and where it came from.
  std::set<std::string> titles;
  for (const auto& chart : page.rendered["charts"]) titles.insert(chart["title"]);
  EXPECT_EQ(titles.count("Morris effects on gmv (paired difference, open_links − closed_loop)"),
            1u);
  EXPECT_EQ(titles.count("Sobol' indices of gmv"), 1u);
  EXPECT_NE(page.dom.find("Sensitivity of open_links"), std::string::npos);
  EXPECT_NE(page.dom.find("compared with <code>" + test::bundled("open_links.yaml")),
            std::string::npos);
  EXPECT_NE(page.dom.find("Morris design, 2 trajectories, 8 rows, 16 points"), std::string::npos);
  EXPECT_NE(page.dom.find("seed 20220301 at every point, 2 replications per point"),
            std::string::npos);
  EXPECT_NE(page.dom.find("快手小店"), std::string::npos);
  fs::remove_all(morris);
  fs::remove_all(sobol);
}

// A calibration.json as `linksim calibrate` writes it: two free keys, GMV and
// the in-store share over four months (rows not in time order).
json calibration(bool converged) {
  const std::vector<std::string> months{"2022-03", "2022-01", "2022-04", "2022-02"};
  json fit = json::array();
  for (std::size_t i = 0; i < months.size(); ++i) {
    const double target = 1.2e9 * (1 + 0.1 * static_cast<double>(i));
    const double model = target * (1 - 0.01 * (static_cast<double>(i) - 1.5));
    fit.push_back({{"period", months[i]},
                   {"metric", "gmv"},
                   {"unit", "fen"},
                   {"target", target},
                   {"weight", 1},
                   {"model", model},
                   {"ci95", {model * 0.97, model * 1.03}},
                   {"scaled_error", (model - target) / target}});
  }
  for (std::size_t i = 0; i < months.size(); ++i) {
    const double target = 0.42 + 0.02 * static_cast<double>(i);
    const double model = target + (i % 2 ? 0.013 : -0.011);
    fit.push_back({{"period", months[i]},
                   {"metric", "in_store_share"},
                   {"unit", "share"},
                   {"target", target},
                   {"weight", 2},
                   {"model", model},
                   {"ci95", {model - 0.015, model + 0.015}},
                   {"scaled_error", (model - target) / target}});
  }
  const int evaluations = converged ? 37 : 40;
  json trace = json::array();
  double best = 1;
  for (int e = 1; e <= evaluations; ++e) {
    const double loss = 0.05 / std::pow(e, 1.5) * (e % 3 == 0 ? 1.5 : 1.0);
    best = std::min(best, loss);
    trace.push_back({{"evaluation", e},
                     {"values", {0.3 + 0.001 * e, 0.4 - 0.001 * e}},
                     {"loss", loss},
                     {"best", best}});
  }
  json free = json::array();
  if (converged) {
    free.push_back({{"key", "buyers.session_rate"},
                    {"from", 0.1},
                    {"to", 0.6},
                    {"start", 0.3},
                    {"value", 0.3312},
                    {"ci95", {0.31, 0.35}},
                    {"at_bound", false},
                    {"identified", true}});
  } else {
    free.push_back({{"key", "buyers.session_rate"},
                    {"from", 0.1},
                    {"to", 0.6},
                    {"start", 0.3},
                    {"value", 0.6},
                    {"ci95", nullptr},
                    {"at_bound", true},
                    {"identified", false}});
  }
  free.push_back({{"key", "conversion.jump_loss"},
                  {"from", 0.2},
                  {"to", 0.8},
                  {"start", 0.4},
                  {"value", 0.52},
                  {"ci95", {0.47, 0.58}},
                  {"at_bound", false},
                  {"identified", true}});
  return {{"linksim", {{"version", "0.1.0"}, {"commit", "abc123"}}},
          {"scenario",
           {{"name", "base"}, {"file", "scenarios/base.yaml"}, {"seed", 1}, {"replications", 4}}},
          {"target", {{"file", "observed.csv"}, {"rows", 8}}},
          {"method", "bobyqa"},
          {"evaluations", evaluations},
          {"tolerance", 0.1},
          {"status", converged ? "converged" : "not_converged"},
          {"message", converged ? "the loss changed by less than the tolerance in 5 evaluations"
                                : "stopped at the limit of 40 evaluations, the loss still falling"},
          {"loss", best},
          {"rms", std::sqrt(best)},
          {"free", free},
          {"fit", fit},
          {"trace", trace}};
}

TEST(AnalysisReport, CalibrationShowsStatusFitAndTrace) {
  const fs::path dir = test::temp_path("linksim_report_calibration");
  fs::remove_all(dir);
  const std::vector<fs::path> folders{dir / "converged", dir / "not_converged"};
  std::vector<json> files;
  for (const auto& f : folders) {
    fs::create_directories(f);
    files.push_back(calibration(f.filename() == "converged"));
    std::ofstream(f / "calibration.json") << files.back().dump(2);
  }
  const fs::path html = dir / "report.html";
  const Output o = linksim("report " + folders[0].string() + " " + folders[1].string() + " --out " +
                           html.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(html);
  expect_clean(page);
  // Per calibration: GMV, the in-store share, the loss.
  ASSERT_EQ(page.rendered["charts"].size(), 2u * 3u);
  int checked = 0;
  for (const auto& chart : page.rendered["charts"]) {
    const double factor = chart["factor"].get<double>();
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      const json& file = files.at(key["analysis"].get<std::size_t>());
      const std::string stat = key["stat"];
      if (key["source"] == "trace") {
        EXPECT_EQ(factor, 1.0);
        ASSERT_EQ(d["data"].size(), file["trace"].size());
        for (std::size_t i = 0; i < d["data"].size(); ++i) {
          expect_plotted(d["data"][i], json_number(file["trace"][i][stat]), factor, key.dump());
          ++checked;
        }
        continue;
      }
      ASSERT_EQ(key["source"], "calibration");
      const std::string metric = key["metric"];
      EXPECT_EQ(chart["unit"], metric == "gmv" ? "M RMB" : "%") << metric;
      EXPECT_EQ(factor, metric == "gmv" ? 1e-8 : 100.0) << metric;
      // The periods in time order, each plotted against its own row.
      EXPECT_EQ(key["periods"], json({"2022-01", "2022-02", "2022-03", "2022-04"}));
      ASSERT_EQ(d["data"].size(), key["periods"].size());
      for (std::size_t i = 0; i < d["data"].size(); ++i) {
        const json* row = nullptr;
        for (const auto& r : file["fit"]) {
          if (r["metric"] == metric && r["period"] == key["periods"][i]) row = &r;
        }
        ASSERT_NE(row, nullptr);
        const double v = stat == "target" ? json_number((*row)["target"])
                         : stat == "mean" ? json_number((*row)["model"])
                                          : json_number((*row)["ci95"][stat == "lo" ? 0 : 1]);
        expect_plotted(d["data"][i], v, factor, key.dump() + " " + std::to_string(i));
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2 * (2 * 4 * 4) + 2 * (37 + 40));
  // The banners, with the status and why; the free keys with their flags.
  EXPECT_NE(page.dom.find("class=\"banner ok\"><b>Converged</b>: the loss changed by less than "
                          "the tolerance in 5 evaluations"),
            std::string::npos);
  EXPECT_NE(page.dom.find("class=\"banner warn\"><b>Not converged</b>: stopped at the limit of 40 "
                          "evaluations, the loss still falling"),
            std::string::npos);
  EXPECT_NE(page.dom.find("0.3312 [0.31, 0.35]"), std::string::npos);
  EXPECT_NE(page.dom.find("0.6 (no interval)"), std::string::npos);
  EXPECT_NE(page.dom.find("at upper bound, not identified"), std::string::npos);
  EXPECT_NE(page.dom.find("target <code>observed.csv</code> (8 rows); bobyqa, 37 evaluations"),
            std::string::npos);
  fs::remove_all(dir);
}

// An abc-smc folder (posterior.json): a weighted histogram per key (its
// bins' shares add up to the particles' weights), a scatter per pair with
// every particle, and the target against the posterior predictive band.
TEST(AnalysisReport, PosteriorShowsMarginalsPairsAndFit) {
  const fs::path dir = test::temp_path("linksim_report_posterior");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const json values = {{0.25, 0.01}, {0.3, 0.02}, {0.31, 0.05}, {0.45, 0.09}};
  const json weights = {0.1, 0.4, 0.3, 0.2};
  const json p{{"kind", "posterior"},
               {"scenario", {{"name", "small"}, {"file", "small.yaml"}, {"seed", 7}}},
               {"target", {{"file", "observed.csv"}, {"rows", 2}}},
               {"stop", "completed 3 generations"},
               {"distance", "scaled Euclidean"},
               {"simulations", 123},
               {"generations",
                {{{"generation", 0},
                  {"epsilon", "inf"},
                  {"accepted", 4},
                  {"simulated", 4},
                  {"acceptance", 1.0},
                  {"ess", 4.0}}}},
               {"keys",
                {{{"key", "buyers.session_rate"},
                  {"prior", "uniform"},
                  {"from", 0.2},
                  {"to", 0.5},
                  {"median", 0.3},
                  {"q05", 0.25},
                  {"q25", 0.3},
                  {"q75", 0.31},
                  {"q95", 0.45}},
                 {{"key", "merchants.exit_hazard_monthly"},
                  {"prior", "log_uniform"},
                  {"from", 0.005},
                  {"to", 0.1},
                  {"median", 0.02},
                  {"q05", 0.01},
                  {"q25", 0.02},
                  {"q75", 0.05},
                  {"q95", 0.09}}}},
               {"fit",
                {{{"period", "2022-02"},
                  {"metric", "gmv"},
                  {"unit", "fen"},
                  {"target", 2e7},
                  {"median", 2.1e7},
                  {"q05", 1.8e7},
                  {"q95", 2.4e7}},
                 {{"period", "2022-01"},
                  {"metric", "gmv"},
                  {"unit", "fen"},
                  {"target", 1.9e7},
                  {"median", 2e7},
                  {"q05", 1.7e7},
                  {"q95", 2.2e7}}}},
               {"particles", {{"values", values}, {"weights", weights}}}};
  std::ofstream(dir / "posterior.json") << p.dump(2);
  const Output o = linksim("report " + dir.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(dir / "report.html");
  expect_clean(page);
  ASSERT_EQ(page.rendered["charts"].size(), 2u + 1u + 1u);
  int checked = 0;
  for (const auto& chart : page.rendered["charts"]) {
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      if (key["source"] == "posterior") {
        double total = 0;
        for (const auto& v : d["data"]) total += v.get<double>();
        EXPECT_NEAR(total, 100.0, 1e-9);
        ++checked;
      } else if (key["source"] == "pair") {
        ASSERT_EQ(d["data"].size(), 4u);
        for (std::size_t i = 0; i < 4; ++i) {
          EXPECT_EQ(d["data"][i]["x"].get<double>(), values[i][0].get<double>());
          EXPECT_EQ(d["data"][i]["y"].get<double>(), values[i][1].get<double>());
        }
        ++checked;
      } else {
        ASSERT_EQ(key["source"], "posterior-fit");
        EXPECT_EQ(key["periods"], json({"2022-01", "2022-02"}));
        const std::string stat = key["stat"];
        const double first = stat == "target" ? 1.9e7
                             : stat == "mean" ? 2e7
                             : stat == "lo"   ? 1.7e7
                                              : 2.2e7;
        expect_plotted(d["data"][0], first, chart["factor"].get<double>(), key.dump());
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2 + 1 + 4);
  EXPECT_NE(page.dom.find("abc-smc</b>: completed 3 generations"), std::string::npos);
  EXPECT_NE(page.dom.find("log_uniform 0.005 to 0.1"), std::string::npos);
  fs::remove_all(dir);
}

// A forecast folder: the answer first (the latest year's paired difference),
// the whole years and what the difference moves with, then every quarterly
// band of both scenarios and of the difference, plotted as in forecast.json.
TEST(AnalysisReport, ForecastShowsTheAnswerYearsAndQuarterlyBands) {
  const fs::path dir = test::temp_path("linksim_report_forecast");
  fs::remove_all(dir);
  fs::create_directories(dir);
  // A band whose quantiles are v times 0.8, 0.9, 1, 1.1 and 1.2.
  const auto band = [](double v) {
    return json{
        {"median", v}, {"q05", 0.8 * v}, {"q25", 0.9 * v}, {"q75", 1.1 * v}, {"q95", 1.2 * v}};
  };
  const auto quarter = [&](const char* label, double gmv) {
    const json none = {{"median", nullptr},
                       {"q05", nullptr},
                       {"q25", nullptr},
                       {"q75", nullptr},
                       {"q95", nullptr}};
    return json{
        {"quarter", label},
        {"cut",
         {{"gmv_platform", band(gmv)}, {"gmv_growth_yoy", none}, {"in_store_share", band(0.99)}}},
        {"open",
         {{"gmv_platform", band(0.99 * gmv)},
          {"gmv_growth_yoy", none},
          {"in_store_share", band(0.97)}}},
        {"difference",
         {{"gmv_platform", band(-0.01 * gmv)},
          {"gmv_growth_yoy", none},
          {"in_store_share", band(-0.02)}}}};
  };
  const json f{{"kind", "forecast"},
               {"scenario", {{"name", "cut"}, {"file", "cut.yaml"}}},
               {"compare", {{"name", "open"}, {"file", "open.yaml"}}},
               {"posterior", "posterior.json"},
               {"draws", 10},
               {"bands", "median and 90% intervals"},
               {"quarterly", {quarter("2022-Q1", 1e12), quarter("2022-Q2", 2e12)}},
               {"yearly",
                {{{"year", "2022"},
                  {"cut", {{"gmv_platform", band(3e12)}, {"gmv_growth_yoy", band(0.3)}}},
                  {"open", {{"gmv_platform", band(2.97e12)}, {"gmv_growth_yoy", band(0.29)}}},
                  {"difference", {{"gmv_platform", band(-3e10)}, {"gmv_growth_yoy", band(-0.01)}}},
                  {"difference_rank_correlation",
                   {{"buyers.session_rate", 0.42}, {"merchants.exit_hazard_monthly", nullptr}}}}}}};
  std::ofstream(dir / "forecast.json") << f.dump(2);
  const Output o = linksim("report " + dir.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(dir / "report.html");
  expect_clean(page);
  ASSERT_EQ(page.rendered["charts"].size(), 3u + 2u);
  const std::map<std::string, double> factor_of_stat = {
      {"median", 1}, {"q05", 0.8}, {"q25", 0.9}, {"q75", 1.1}, {"q95", 1.2}};
  int checked = 0;
  for (const auto& chart : page.rendered["charts"]) {
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      ASSERT_EQ(key["source"], "forecast");
      const std::string metric = key["metric"], series = key["series"];
      const json& given = f["quarterly"][1][series][metric];
      const double want = given[key["stat"].get<std::string>()].is_null()
                              ? NAN
                              : given[key["stat"].get<std::string>()].get<double>();
      if (std::isnan(want)) {
        EXPECT_TRUE(d["data"][1].is_null()) << key.dump();
      } else {
        expect_plotted(d["data"][1], want, chart["factor"].get<double>(), key.dump());
      }
      EXPECT_GT(factor_of_stat.count(key["stat"]), 0u);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 * 2 * 5 + 2 * 5);
  EXPECT_NE(page.dom.find("2022: open − cut = -300.0 M RMB"), std::string::npos);
  EXPECT_NE(page.dom.find("of year-on-year growth</b>; cut is higher in at least 95% of the draws"),
            std::string::npos);
  EXPECT_NE(page.dom.find("+0.42"), std::string::npos);
  EXPECT_NE(page.dom.find("-1.0 pts [-0.8, -1.2]"), std::string::npos);
  fs::remove_all(dir);
}

TEST(AnalysisReport, UnfinishedOrMalformedAnalysisIsAClearError) {
  const fs::path dir = test::temp_path("linksim_report_bad_analysis");
  fs::remove_all(dir);
  fs::create_directories(dir / "sensitivity");
  fs::create_directories(dir / "calibration");
  std::ofstream(dir / "sensitivity" / "sensitivity.json") << R"({"status": "running"})";
  json c = calibration(true);
  c.erase("fit");
  std::ofstream(dir / "calibration" / "calibration.json") << c.dump();
  Output o = linksim("report " + (dir / "sensitivity").string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("is not finished (run the same linksim sensitivity command again"),
            std::string::npos)
      << o.text;
  o = linksim("report " + (dir / "calibration").string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("calibration.json is not a calibration.json of this linksim"),
            std::string::npos)
      << o.text;
  EXPECT_FALSE(fs::exists(dir / "calibration" / "report.html"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linksim
