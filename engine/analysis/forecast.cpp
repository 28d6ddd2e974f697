// `linksim forecast`: a scenario run at draws from a calibration's posterior
// (posterior.json; the plan, every draw's scenario checked first, in
// forecast_plan.cpp), each draw one replication with its own seed, so that the
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

using detail::at_draw;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

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

}  // namespace

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
  Ensemble& ensemble = detail::ensemble_of(options);
  const int rank = ensemble.rank(), size = ensemble.size();
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
      const auto all = ensemble.gather(bytes);
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
  r.particles = particle;
  for (int d = 0; d < n; ++d) {
    std::vector<double> gmv, other;
    for (std::size_t y = 0; y < r.years.size(); ++y) {
      gmv.push_back(year_mine[d][2 * y]);
      if (compare) other.push_back(year_theirs[d][2 * y]);
    }
    r.draw_gmv.push_back(gmv);
    if (compare) r.draw_gmv_other.push_back(other);
  }
  if (!dir.empty() && ensemble.writes_files()) detail::write_forecast(r, dir);
  return r;
}

void write_forecast(const ForecastResult& r, const fs::path& dir) {
  detail::write_forecast(r, dir);
}

}  // namespace linksim
