// `linksim forecast`: a scenario run at draws from a calibration's posterior
// (posterior.json), each draw one replication with its own seed, so that the
// bands hold the parameters' uncertainty and the simulation's together; with
// --compare, the other scenario at the same draws and seeds (common random
// numbers), and the paired difference draw by draw.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "analysis/abc.hpp"
#include "analysis/calibration.hpp"
#include "ensemble.hpp"
#include "linksim/analysis.hpp"
#include "metrics/files.hpp"
#include "metrics/periods.hpp"
#include "parallel.hpp"
#include "rng.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

ScenarioError problem(const fs::path& file, int line, int column, const std::string& what) {
  return ScenarioError(
      {file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what});
}

// The line and column of a byte offset in a text.
std::pair<int, int> place(const std::string& text, std::size_t at) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < std::min(at, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// The line of the first occurrence of `needle` (1 when absent).
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  return at == std::string::npos ? 1 : place(text, at).first;
}

// The scenario at one draw's key values.
Scenario at_draw(const std::string& text, const fs::path& file,
                 const std::vector<std::string>& overrides, const Posterior& p,
                 const std::vector<double>& values) {
  std::vector<std::string> sets = overrides;
  for (std::size_t k = 0; k < p.keys.size(); ++k) {
    sets.push_back(p.keys[k].key + "=" + factor_value(values[k]));
  }
  return load_scenario_text(text, file, sets, {}, Vary::calibration);
}

ForecastBand band(std::vector<double> x) {
  x.erase(std::remove_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); }), x.end());
  ForecastBand b{nan, nan, nan, nan, nan};
  if (x.empty()) return b;
  std::sort(x.begin(), x.end());
  // Type 7 quantiles (linear between order statistics), as pandas and R's default.
  auto q = [&](double p) {
    const double h = p * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
  };
  return {q(0.5), q(0.05), q(0.25), q(0.75), q(0.95)};
}

// Whole calendar years of the quarterly rows: GMV at platform scale and its
// growth over the year before ([0], [1]); empty for a year not whole.
struct Years {
  std::vector<std::string> labels;
  std::vector<std::vector<int>> quarters;  // row indices
};
Years whole_years(const std::vector<std::string>& quarters, const Eigen::MatrixXd& table) {
  Years y;
  const int whole =
      static_cast<int>(std::find_if(quarterly_info().begin(), quarterly_info().end(),
                                    [](const ColumnInfo& c) { return c.name == "whole"; }) -
                       quarterly_info().begin());
  for (std::size_t i = 0; i < quarters.size(); ++i) {
    const std::string year = quarters[i].substr(0, 4);
    if (quarters[i].substr(5) != "Q1" || i + 3 >= quarters.size()) continue;
    bool ok = true;
    for (std::size_t k = 0; k < 4; ++k) {
      ok = ok && quarters[i + k].substr(0, 4) == year &&
           (whole >= static_cast<int>(quarterly_info().size()) ||
            table(static_cast<Eigen::Index>(i + k), whole) > 0.5);
    }
    if (!ok) continue;
    y.labels.push_back(year);
    y.quarters.push_back({static_cast<int>(i), static_cast<int>(i + 1), static_cast<int>(i + 2),
                          static_cast<int>(i + 3)});
  }
  return y;
}

std::vector<double> year_values(const Years& y, const Eigen::MatrixXd& table, int gmv_platform) {
  std::vector<double> out;  // per year: gmv, growth
  for (std::size_t k = 0; k < y.labels.size(); ++k) {
    double sum = 0;
    for (int q : y.quarters[k]) sum += table(q, gmv_platform);
    out.push_back(sum);
    const bool prev = k > 0 && std::stoi(y.labels[k - 1]) + 1 == std::stoi(y.labels[k]);
    out.push_back(prev && out[2 * (k - 1)] > 0 ? sum / out[2 * (k - 1)] - 1 : nan);
  }
  return out;
}

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

Posterior read_posterior(const fs::path& file) {
  std::string text;
  try {
    text = detail::read_text(file);
  } catch (const std::exception&) {
    throw problem(file, 1, 1,
                  "posterior: cannot read it (expected posterior.json of `linksim "
                  "calibrate --method abc-smc`)");
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto [line, column] = place(text, e.byte > 0 ? e.byte - 1 : 0);
    throw problem(file, line, column, std::string("posterior: not JSON (") + e.what() + ")");
  }
  Posterior p;
  p.file = file;
  if (!j.is_object() || j.value("kind", "") != "posterior") {
    throw problem(file, 1, 1,
                  "posterior: expected posterior.json of `linksim calibrate --method abc-smc` "
                  "(\"kind\": \"posterior\"), got another file");
  }
  try {
    p.scenario = j.at("scenario").at("name").get<std::string>();
    p.overrides = j.at("scenario").value("overrides", std::vector<std::string>{});
    for (const auto& k : j.at("keys")) {
      SensitivityFactor f;
      f.key = k.at("key").get<std::string>();
      f.prior = k.at("prior").get<std::string>();
      f.from = k.at("from").get<double>();
      f.to = k.at("to").get<double>();
      p.keys.push_back(f);
    }
    p.values = j.at("particles").at("values").get<std::vector<std::vector<double>>>();
    p.weights = j.at("particles").at("weights").get<std::vector<double>>();
  } catch (const json::exception& e) {
    throw problem(file, 1, 1,
                  std::string("posterior: a field is missing or malformed (") + e.what() + ")");
  }
  double total = 0;
  for (double w : p.weights) total += w;
  if (p.values.empty() || p.values.size() != p.weights.size() || !(total > 0) ||
      std::any_of(p.values.begin(), p.values.end(),
                  [&](const auto& v) { return v.size() != p.keys.size(); })) {
    throw problem(file, line_of(text, "\"particles\""), 1,
                  "posterior: particles: expected as many weights as particles, each with a "
                  "value per key, and a positive total weight");
  }
  return p;
}

ForecastPlan plan_forecast(const fs::path& file, const fs::path& posterior,
                           const std::vector<std::string>& overrides, const fs::path& compare,
                           int draws) {
  ForecastPlan plan;
  plan.file = file;
  plan.other_file = compare;
  plan.overrides = overrides;
  plan.scenario = load_scenario(file, overrides);
  plan.posterior = read_posterior(posterior);
  const Posterior& p = plan.posterior;
  std::vector<std::string> problems;
  const std::string text = detail::read_text(posterior);
  if (p.scenario != plan.scenario.name) {
    problems.push_back(posterior.string() + ":" + std::to_string(line_of(text, "\"name\"")) +
                       ":1: posterior: fitted on scenario '" + p.scenario +
                       "' (expected a posterior of '" + plan.scenario.name +
                       "', the scenario "
                       "forecast; --compare takes the other one)");
  }
  plan.draws = draws > 0 ? draws : plan.scenario.calibration.draws;
  // A forecast at another population.scale than the fit's is allowed
  // (reports.platform_scale is divided by it), but the small world's drift
  // from the large one is then not the fitted one: say so.
  const auto scale_of = [](const std::vector<std::string>& sets) {
    std::string value;
    for (const auto& s : sets) {
      if (s.rfind("population.scale=", 0) == 0) value = s.substr(17);
    }
    return value;
  };
  const std::string fitted = scale_of(p.overrides), asked = scale_of(overrides);
  if (std::strtod(fitted.c_str(), nullptr) != std::strtod(asked.c_str(), nullptr)) {
    spdlog::warn(
        "{} was fitted at population.scale {} and this forecast runs at {} (expected "
        "--set population.scale={} for the world the posterior was fitted on)",
        posterior.string(), fitted.empty() ? "of the file" : fitted,
        asked.empty() ? "that of the file" : asked, fitted.empty() ? "<the file's>" : fitted);
  }
  // Every key at its least and greatest posterior value must load in both scenarios.
  const auto check = [&](const fs::path& f) {
    const std::string scenario_text = detail::read_text(f);
    for (std::size_t k = 0; k < p.keys.size(); ++k) {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& v : p.values) {
        lo = std::min(lo, v[k]);
        hi = std::max(hi, v[k]);
      }
      for (double x : {lo, hi}) {
        std::vector<double> values = p.values.front();
        values[k] = x;
        try {
          at_draw(scenario_text, f, overrides, p, values);
        } catch (const ScenarioError& e) {
          problems.push_back(posterior.string() + ":" +
                             std::to_string(line_of(text, "\"" + p.keys[k].key + "\"")) +
                             ":1: posterior: key " + p.keys[k].key + " = " + factor_value(x) +
                             " does not load in " + f.string() + " (" + e.problems().front() + ")");
        }
      }
    }
  };
  if (problems.empty()) check(file);
  if (!compare.empty()) {
    plan.other = load_scenario(compare, overrides);
    if (problems.empty()) check(compare);
    if (plan.other.calendar.start != plan.scenario.calendar.start ||
        plan.other.calendar.days != plan.scenario.calendar.days) {
      problems.push_back(compare.string() + ":1:1: calendar: expected the same horizon as " +
                         file.string() + " (the difference is taken quarter by quarter)");
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  return plan;
}

ForecastResult run_forecast(const ForecastPlan& plan, const fs::path& dir,
                            const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  ForecastResult r;
  r.plan = plan;
  const Posterior& p = plan.posterior;
  const bool compare = !plan.other_file.empty();
  const std::string text = detail::read_text(plan.file);
  const std::string other_text = compare ? detail::read_text(plan.other_file) : std::string();
  // The draws: systematic resampling of the particles by weight, from the
  // scenario's seed; draw d runs with its own replication seed.
  const int n = plan.draws;
  std::vector<double> cumulative;
  double total = 0;
  for (double w : p.weights) cumulative.push_back(total += w);
  detail::Stream rng(plan.scenario.seed, detail::Kind::world, 0, 0, detail::Purpose::arrival);
  const double u0 = rng.uniform();
  std::vector<std::size_t> particle(n);
  for (int d = 0; d < n; ++d) {
    const double u = (u0 + d) / n * total;
    particle[d] = std::min<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin(),
        p.values.size() - 1);
  }
  std::vector<Eigen::MatrixXd> mine(n), theirs(n);
  std::vector<std::string> quarters;
  std::mutex m;
  std::atomic<int> done{0};
  const int rank = detail::ensemble().rank(), size = detail::ensemble().size();
  std::vector<int> local;
  for (int d = 0; d < n; ++d) {
    if (d % size == rank) local.push_back(d);
  }
  detail::parallel_for(static_cast<std::int64_t>(local.size()), options.threads,
                       [&](std::int64_t i) {
                         const int d = local[static_cast<std::size_t>(i)];
                         if (options.cancel != nullptr && options.cancel->load() != 0) return;
                         const std::uint64_t seed = detail::replication_seed(plan.scenario.seed, d);
                         const auto& values = p.values[particle[d]];
                         const auto run_one = [&](const std::string& t, const fs::path& f) {
                           Simulation sim(at_draw(t, f, plan.overrides, p, values), seed, 1);
                           while (!sim.done()) {
                             if (options.cancel != nullptr && options.cancel->load() != 0) {
                               throw Cancelled(options.cancel->load());
                             }
                             sim.step();
                           }
                           return sim.result(d);
                         };
                         const ReplicationResult a = run_one(text, plan.file);
                         mine[d] = a.quarterly;
                         if (compare) theirs[d] = run_one(other_text, plan.other_file).quarterly;
                         const int k = ++done;
                         if (options.progress) {
                           std::lock_guard lock(m);
                           Progress pr;
                           pr.replications_done = k;
                           pr.replications_total = static_cast<int>(local.size());
                           pr.fraction = static_cast<double>(k) / local.size();
                           options.progress(pr);
                         }
                       });
  if (options.cancel != nullptr && options.cancel->load() != 0) {
    throw Cancelled(options.cancel->load());
  }
  if (size > 1) {
    // Every rank's tables to every rank, as doubles in draw order.
    for (auto* tables : {&mine, &theirs}) {
      if (tables == &theirs && !compare) continue;
      std::vector<char> bytes;
      for (int d : local) {
        const auto& t = (*tables)[d];
        const std::int64_t head[3] = {d, t.rows(), t.cols()};
        bytes.insert(bytes.end(), reinterpret_cast<const char*>(head),
                     reinterpret_cast<const char*>(head) + sizeof head);
        bytes.insert(bytes.end(), reinterpret_cast<const char*>(t.data()),
                     reinterpret_cast<const char*>(t.data()) + t.size() * sizeof(double));
      }
      const auto all = detail::ensemble().gather(bytes);
      for (std::size_t at = 0; at < all.size();) {
        std::int64_t head[3];
        std::memcpy(head, all.data() + at, sizeof head);
        at += sizeof head;
        Eigen::MatrixXd t(head[1], head[2]);
        std::memcpy(t.data(), all.data() + at, t.size() * sizeof(double));
        at += t.size() * sizeof(double);
        (*tables)[head[0]] = t;
      }
    }
  }
  const auto& info = quarterly_info();
  for (std::size_t c = 0; c < info.size(); ++c) {
    if (info[c].name != "whole") r.metrics.push_back(info[c].name);
  }
  r.quarters = detail::quarter_labels(plan.scenario);
  const Eigen::Index rows = mine.front().rows();
  const int gmv_platform =
      static_cast<int>(std::find_if(info.begin(), info.end(),
                                    [](const ColumnInfo& c) { return c.name == "gmv_platform"; }) -
                       info.begin());
  auto bands = [&](const std::vector<Eigen::MatrixXd>& a, const std::vector<Eigen::MatrixXd>* b) {
    std::vector<std::vector<ForecastBand>> out(static_cast<std::size_t>(rows));
    for (Eigen::Index q = 0; q < rows; ++q) {
      for (std::size_t c = 0; c < info.size(); ++c) {
        if (info[c].name == "whole") continue;
        std::vector<double> x;
        for (int d = 0; d < n; ++d) {
          const double v = a[d](q, static_cast<Eigen::Index>(c));
          x.push_back(b == nullptr ? v : (*b)[d](q, static_cast<Eigen::Index>(c)) - v);
        }
        out[q].push_back(band(x));
      }
    }
    return out;
  };
  r.scenario = bands(mine, nullptr);
  if (compare) {
    r.other = bands(theirs, nullptr);
    r.difference = bands(mine, &theirs);
  }
  const Years years = whole_years(r.quarters, mine.front());
  r.years = years.labels;
  auto year_bands = [&](const std::vector<Eigen::MatrixXd>& a,
                        const std::vector<Eigen::MatrixXd>* b) {
    std::vector<std::vector<ForecastBand>> out(years.labels.size());
    std::vector<std::vector<double>> per_draw;
    for (int d = 0; d < n; ++d) {
      auto v = year_values(years, a[d], gmv_platform);
      if (b != nullptr) {
        const auto w = year_values(years, (*b)[d], gmv_platform);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = w[i] - v[i];
      }
      per_draw.push_back(v);
    }
    for (std::size_t y = 0; y < years.labels.size(); ++y) {
      for (int m = 0; m < 2; ++m) {
        std::vector<double> x;
        for (const auto& v : per_draw) x.push_back(v[2 * y + m]);
        out[y].push_back(band(x));
      }
    }
    return out;
  };
  // Each draw's yearly GMV (and with --compare the other's), for the draws'
  // file and for what the difference hinges on.
  std::vector<std::vector<double>> year_mine, year_theirs;
  for (int d = 0; d < n; ++d) {
    year_mine.push_back(year_values(years, mine[d], gmv_platform));
    if (compare) year_theirs.push_back(year_values(years, theirs[d], gmv_platform));
  }
  if (compare) {
    // Spearman's rank correlation over the draws of each key with each whole
    // year's difference in GMV: which assumptions the answer moves with.
    auto ranks = [](const std::vector<double>& x) {
      std::vector<std::size_t> order(x.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
      std::vector<double> r(x.size());
      for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
        for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * static_cast<double>(i + j);
        i = j + 1;
      }
      return r;
    };
    auto correlation = [](const std::vector<double>& a, const std::vector<double>& b) {
      const double n = static_cast<double>(a.size());
      // Sums first: ranks are half-integers, so a constant series (a year
      // before the scenarios differ) has a mean equal to each value exactly,
      // and no correlation.
      double ma = 0, mb = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i];
        mb += b[i];
      }
      ma /= n;
      mb /= n;
      double sab = 0, saa = 0, sbb = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
      }
      return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : nan;
    };
    r.hinges.assign(years.labels.size(), std::vector<double>(p.keys.size(), nan));
    for (std::size_t y = 0; y < years.labels.size(); ++y) {
      std::vector<double> diff;
      for (int d = 0; d < n; ++d) diff.push_back(year_theirs[d][2 * y] - year_mine[d][2 * y]);
      const auto rd = ranks(diff);
      for (std::size_t k = 0; k < p.keys.size(); ++k) {
        std::vector<double> key;
        for (int d = 0; d < n; ++d) key.push_back(p.values[particle[d]][k]);
        r.hinges[y][k] = correlation(ranks(key), rd);
      }
    }
  }
  r.year_scenario = year_bands(mine, nullptr);
  if (compare) {
    r.year_other = year_bands(theirs, nullptr);
    r.year_difference = year_bands(mine, &theirs);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!detail::writes_files()) return r;

  // The files.
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
    draws_csv << d << "," << particle[d] << "," << detail::replication_seed(plan.scenario.seed, d);
    for (double v : p.values[particle[d]]) draws_csv << "," << detail::csv_number(v);
    for (std::size_t y = 0; y < r.years.size(); ++y) {
      draws_csv << "," << detail::csv_number(year_mine[d][2 * y]);
      if (compare) draws_csv << "," << detail::csv_number(year_theirs[d][2 * y]);
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
  return r;
}

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
