// What `linksim forecast` writes and prints: quarterly.csv (and with
// --compare quarterly_compare.csv and quarterly_difference.csv), yearly.csv,
// forecast_draws.csv and, last, forecast.json; and the table.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/calibration.hpp"
#include "linksim/analysis.hpp"
#include "metrics/files.hpp"
#include "rng.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string band_header(const std::string& name) {
  return name + "," + name + "_q05," + name + "_q25," + name + "_q75," + name + "_q95";
}
std::string band_csv(const ForecastBand& b) {
  using detail::csv_number;
  return csv_number(b.median) + "," + csv_number(b.q05) + "," + csv_number(b.q25) + "," +
         csv_number(b.q75) + "," + csv_number(b.q95);
}
json band_json(const ForecastBand& b) {
  auto v = [](double x) { return std::isfinite(x) ? json(x) : json(); };
  return {{"median", v(b.median)},
          {"q05", v(b.q05)},
          {"q25", v(b.q25)},
          {"q75", v(b.q75)},
          {"q95", v(b.q95)}};
}

}  // namespace

namespace detail {

void write_forecast(const ForecastResult& r, const fs::path& dir) {
  const ForecastPlan& plan = r.plan;
  const Posterior& p = plan.posterior;
  const bool compare = !plan.other_file.empty();
  const int n = static_cast<int>(r.particles.size());
  auto quarter_csv = [&](const std::vector<std::vector<ForecastBand>>& b) {
    std::ostringstream out;
    out << "quarter";
    for (const auto& name : r.metrics) out << "," << band_header(name);
    out << "\n";
    for (std::size_t q = 0; q < b.size(); ++q) {
      out << r.quarters[q];
      for (const auto& x : b[q]) out << "," << band_csv(x);
      out << "\n";
    }
    return out.str();
  };
  std::ostringstream yearly, draws_csv;
  yearly << "series,year," << band_header("gmv_platform") << "," << band_header("gmv_growth_yoy")
         << "\n";
  const std::string other_name = compare ? plan.other.name : "";
  auto year_rows = [&](const std::string& series, const std::vector<std::vector<ForecastBand>>& b) {
    for (std::size_t y = 0; y < b.size(); ++y) {
      yearly << series << "," << r.years[y] << "," << band_csv(b[y][0]) << "," << band_csv(b[y][1])
             << "\n";
    }
  };
  year_rows(plan.scenario.name, r.year_scenario);
  if (compare) {
    year_rows(other_name, r.year_other);
    year_rows(other_name + " - " + plan.scenario.name, r.year_difference);
  }
  draws_csv << "draw,particle,seed";
  for (const auto& k : p.keys) draws_csv << "," << k.key;
  for (const auto& y : r.years) {
    draws_csv << ",gmv_platform_" << y;
    if (compare) draws_csv << ",compare_gmv_platform_" << y;
  }
  draws_csv << "\n";
  for (int d = 0; d < n; ++d) {
    draws_csv << d << "," << r.particles[d] << "," << replication_seed(plan.scenario.seed, d);
    for (double v : p.values[r.particles[d]]) draws_csv << "," << csv_number(v);
    for (std::size_t y = 0; y < r.years.size(); ++y) {
      draws_csv << "," << csv_number(r.draw_gmv[d][y]);
      if (compare) draws_csv << "," << csv_number(r.draw_gmv_other[d][y]);
    }
    draws_csv << "\n";
  }
  json q = json::array();
  for (std::size_t i = 0; i < r.quarters.size(); ++i) {
    json row{{"quarter", r.quarters[i]}};
    for (std::size_t c = 0; c < r.metrics.size(); ++c) {
      row[plan.scenario.name][r.metrics[c]] = band_json(r.scenario[i][c]);
      if (compare) {
        row[other_name][r.metrics[c]] = band_json(r.other[i][c]);
        row["difference"][r.metrics[c]] = band_json(r.difference[i][c]);
      }
    }
    q.push_back(row);
  }
  json y = json::array();
  for (std::size_t i = 0; i < r.years.size(); ++i) {
    json row{{"year", r.years[i]},
             {plan.scenario.name,
              {{"gmv_platform", band_json(r.year_scenario[i][0])},
               {"gmv_growth_yoy", band_json(r.year_scenario[i][1])}}}};
    if (compare) {
      json hinge = json::object();
      for (std::size_t k = 0; k < p.keys.size(); ++k) {
        hinge[p.keys[k].key] = std::isfinite(r.hinges[i][k]) ? json(r.hinges[i][k]) : json();
      }
      row["difference_rank_correlation"] = hinge;
      row[other_name] = {{"gmv_platform", band_json(r.year_other[i][0])},
                         {"gmv_growth_yoy", band_json(r.year_other[i][1])}};
      row["difference"] = {{"gmv_platform", band_json(r.year_difference[i][0])},
                           {"gmv_growth_yoy", band_json(r.year_difference[i][1])}};
    }
    y.push_back(row);
  }
  json manifest{{"linksim", {{"version", version()}, {"commit", git_commit()}}},
                {"kind", "forecast"},
                {"scenario",
                 {{"name", plan.scenario.name},
                  {"file", plan.file.string()},
                  {"seed", plan.scenario.seed},
                  {"overrides", plan.overrides}}},
                {"compare",
                 compare ? json{{"name", other_name}, {"file", plan.other_file.string()}} : json()},
                {"posterior", plan.posterior.file.string()},
                {"draws", n},
                {"bands",
                 "median and the 50% (q25-q75) and 90% (q05-q95) intervals over the draws; each "
                 "draw a posterior particle (drawn by weight) run once with its own seed; the "
                 "difference is the other scenario minus this one, draw by draw (same values and "
                 "seed)"},
                {"units", "GMV in fen (1/100 RMB); shares and growth as fractions"},
                {"quarterly", q},
                {"yearly", y}};
  detail::Staged files;
  fs::create_directories(dir);
  files.add(dir / "quarterly.csv", quarter_csv(r.scenario));
  if (compare) {
    files.add(dir / "quarterly_compare.csv", quarter_csv(r.other));
    files.add(dir / "quarterly_difference.csv", quarter_csv(r.difference));
  }
  files.add(dir / "yearly.csv", yearly.str());
  files.add(dir / "forecast_draws.csv", draws_csv.str());
  files.add(dir / "forecast.json", manifest.dump(2) + "\n");
  files.commit();
}

}  // namespace detail

std::string forecast_table(const ForecastResult& r) {
  const bool compare = !r.plan.other_file.empty();
  const auto& info = quarterly_info();
  std::size_t gmv = 0, yoy = 0, share = 0;
  for (std::size_t c = 0, k = 0; c < info.size(); ++c) {
    if (info[c].name == "whole") continue;
    if (info[c].name == "gmv_platform") gmv = k;
    if (info[c].name == "gmv_growth_yoy") yoy = k;
    if (info[c].name == "in_store_share") share = k;
    ++k;
  }
  auto money = [](const ForecastBand& b) {
    return fmt::format("{} [{}, {}]", detail::format_value(b.median, "fen"),
                       detail::format_value(b.q05, "fen"), detail::format_value(b.q95, "fen"));
  };
  auto pct = [](const ForecastBand& b) {
    if (!std::isfinite(b.median)) return std::string("n/a");
    return fmt::format("{:+.1f}% [{:+.1f}, {:+.1f}]", 100 * b.median, 100 * b.q05, 100 * b.q95);
  };
  auto pts = [](const ForecastBand& b) {  // a difference of two rates
    if (!std::isfinite(b.median)) return std::string("n/a");
    return fmt::format("{:+.1f} pts [{:+.1f}, {:+.1f}]", 100 * b.median, 100 * b.q05, 100 * b.q95);
  };
  std::ostringstream out;
  out << "Forecast of " << r.plan.scenario.name << " at " << r.plan.draws << " posterior draws ("
      << r.plan.posterior.file.string() << "): median [90% interval], GMV at platform scale\n\n";
  std::vector<std::vector<std::string>> rows{{"quarter", "GMV", "YoY growth", "in-store share"}};
  if (compare) {
    rows.front().push_back(r.plan.other.name + " - " + r.plan.scenario.name + " GMV");
    rows.front().push_back("YoY growth difference");
  }
  for (std::size_t q = 0; q < r.quarters.size(); ++q) {
    const auto& b = r.scenario[q];
    std::vector<std::string> row{r.quarters[q], money(b[gmv]), pct(b[yoy]),
                                 fmt::format("{:.2f}% [{:.2f}, {:.2f}]", 100 * b[share].median,
                                             100 * b[share].q05, 100 * b[share].q95)};
    if (compare) {
      row.push_back(money(r.difference[q][gmv]));
      row.push_back(pts(r.difference[q][yoy]));
    }
    rows.push_back(row);
  }
  out << detail::text_table(rows) << "\n";
  std::vector<std::vector<std::string>> years{{"year", "GMV", "YoY growth"}};
  if (compare) {
    years.front().push_back("difference in GMV");
    years.front().push_back("in YoY growth");
  }
  for (std::size_t y = 0; y < r.years.size(); ++y) {
    std::vector<std::string> row{r.years[y], money(r.year_scenario[y][0]),
                                 pct(r.year_scenario[y][1])};
    if (compare) {
      row.push_back(money(r.year_difference[y][0]));
      row.push_back(pts(r.year_difference[y][1]));
    }
    years.push_back(row);
  }
  out << detail::text_table(years);
  if (compare && !r.years.empty()) {
    std::vector<std::vector<std::string>> h{{"key"}};
    for (const auto& y : r.years) h.front().push_back(y);
    for (std::size_t k = 0; k < r.plan.posterior.keys.size(); ++k) {
      std::vector<std::string> row{r.plan.posterior.keys[k].key};
      for (std::size_t y = 0; y < r.years.size(); ++y) {
        row.push_back(std::isfinite(r.hinges[y][k]) ? fmt::format("{:+.2f}", r.hinges[y][k])
                                                    : "n/a");
      }
      h.push_back(row);
    }
    out << "\nWhat the difference in a year's GMV moves with: Spearman's rank correlation over "
           "the draws of each key with it\n"
        << detail::text_table(h);
  }
  return out.str();
}

}  // namespace linksim
