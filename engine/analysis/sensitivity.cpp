#include "analysis/sensitivity.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "rng.hpp"

namespace linksim::detail {
namespace {

// The `day` part of the stream keys keeps the four uses of one seed apart.
constexpr int morris_design_day = 0;
constexpr int morris_bootstrap_day = 1;
constexpr int saltelli_shift_day = 2;
constexpr int sobol_bootstrap_day = 3;

// Boost's Sobol' tables cover 3667 dimensions; a Saltelli design needs 2k.
constexpr int max_saltelli_factors = 3667 / 2;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

void check_resampling(int bootstrap, double level) {
  require(bootstrap >= 0, "bootstrap must be >= 0, got " + std::to_string(bootstrap));
  require(level > 0 && level < 1, "level must be in (0, 1), got " + std::to_string(level));
}

// The q-quantile of v, interpolating linearly between order statistics
// (Hyndman and Fan's type 7, R's default). Sorts v.
double quantile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// The percentile interval of each row of `replicates` (one column per
// bootstrap resample, NaN for a resample with no estimate); the estimate
// itself when there are no resamples.
std::pair<Eigen::VectorXd, Eigen::VectorXd> percentile_interval(const Eigen::MatrixXd& replicates,
                                                                const Eigen::VectorXd& estimate,
                                                                double level) {
  Eigen::VectorXd lo = estimate, hi = estimate;
  std::vector<double> v;
  for (Eigen::Index i = 0; i < replicates.rows(); ++i) {
    v.clear();
    for (Eigen::Index b = 0; b < replicates.cols(); ++b) {
      if (!std::isnan(replicates(i, b))) v.push_back(replicates(i, b));
    }
    if (v.empty()) continue;
    lo(i) = quantile(v, (1 - level) / 2);
    hi(i) = quantile(v, (1 + level) / 2);
  }
  return {lo, hi};
}

// Each trajectory's elementary effects: row t, column i; NaN where the step
// did not move the factor (no effect).
Eigen::MatrixXd elementary_effects(const MorrisDesign& d, const Eigen::VectorXd& y) {
  const int k = d.factors;
  Eigen::MatrixXd ee = Eigen::MatrixXd::Constant(d.trajectories, k, std::nan(""));
  for (int t = 0; t < d.trajectories; ++t) {
    for (int s = 0; s < k; ++s) {
      const int i = d.moved[static_cast<std::size_t>(t * k + s)];
      const int row = t * (k + 1) + s + 1;
      require(i >= 0 && i < k, "MorrisDesign: moved factor " + std::to_string(i) + " at row " +
                                   std::to_string(row) + " is not in [0, " + std::to_string(k) +
                                   ")");
      const double dx = d.points(row, i) - d.points(row - 1, i);
      if (dx != 0) ee(t, i) = (y(row) - y(row - 1)) / dx;
    }
  }
  return ee;
}

// mu* over the effects of the trajectories `rows` (with repeats) has, per
// factor; NaN for a factor none of them has an effect of.
Eigen::VectorXd mean_abs(const Eigen::MatrixXd& ee, const std::vector<int>& rows) {
  const Eigen::Index k = ee.cols();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(k), n = Eigen::VectorXd::Zero(k);
  for (int t : rows) {
    for (Eigen::Index i = 0; i < k; ++i) {
      if (std::isnan(ee(t, i))) continue;
      sum(i) += std::fabs(ee(t, i));
      n(i) += 1;
    }
  }
  for (Eigen::Index i = 0; i < k; ++i) sum(i) = n(i) > 0 ? sum(i) / n(i) : std::nan("");
  return sum;
}

}  // namespace

MorrisDesign morris_design(int factors, int trajectories, int levels, std::uint64_t seed) {
  require(factors >= 1, "factors must be >= 1, got " + std::to_string(factors));
  require(trajectories >= 1, "trajectories must be >= 1, got " + std::to_string(trajectories));
  require(levels >= 2 && levels % 2 == 0,
          "levels must be even and >= 2, got " + std::to_string(levels));
  const int k = factors;
  const int half = levels / 2;  // delta in grid steps
  const double steps = levels - 1;
  MorrisDesign d{factors, trajectories, levels, Eigen::MatrixXd(trajectories * (k + 1), k),
                 std::vector<int>(static_cast<std::size_t>(trajectories) * k)};
  std::vector<int> base(k), order(k);
  std::vector<bool> up(k);
  for (int t = 0; t < trajectories; ++t) {
    Stream rng(seed, Kind::world, static_cast<std::uint64_t>(t), morris_design_day, Purpose::build);
    // A base level in the lower half of the grid and a direction per factor:
    // up from the base, or down to it from base + delta.
    for (int i = 0; i < k; ++i) {
      base[i] = static_cast<int>(rng.below(static_cast<std::uint64_t>(half)));
      up[i] = rng.below(2) == 0;
    }
    // A random order of the factors (Fisher-Yates).
    std::iota(order.begin(), order.end(), 0);
    for (int i = k - 1; i > 0; --i) {
      std::swap(order[i], order[rng.below(static_cast<std::uint64_t>(i) + 1)]);
    }
    // The start, then one factor at a time to the other end of its step.
    const int row0 = t * (k + 1);
    for (int i = 0; i < k; ++i) d.points(row0, i) = (base[i] + (up[i] ? 0 : half)) / steps;
    for (int s = 0; s < k; ++s) {
      const int i = order[s];
      d.points.row(row0 + s + 1) = d.points.row(row0 + s);
      d.points(row0 + s + 1, i) = (base[i] + (up[i] ? half : 0)) / steps;
      d.moved[static_cast<std::size_t>(t * k + s)] = i;
    }
  }
  return d;
}

MorrisIndices morris_indices(const MorrisDesign& d, const Eigen::VectorXd& y, int bootstrap,
                             std::uint64_t seed, double level) {
  const int k = d.factors, r = d.trajectories;
  require(k >= 1 && r >= 1 && d.points.rows() == r * (k + 1) && d.points.cols() == k &&
              d.moved.size() == static_cast<std::size_t>(r) * k,
          "MorrisDesign: inconsistent sizes");
  require(y.size() == d.points.rows(), "y has " + std::to_string(y.size()) + " values for " +
                                           std::to_string(d.points.rows()) + " design rows");
  check_resampling(bootstrap, level);
  const Eigen::MatrixXd ee = elementary_effects(d, y);
  const double nan = std::nan("");

  // The statistics of each factor over the effects it has.
  MorrisIndices m;
  m.mu = m.mu_star = m.sigma = Eigen::VectorXd::Constant(k, nan);
  m.effects = Eigen::VectorXi::Zero(k);
  for (int i = 0; i < k; ++i) {
    double sum = 0, abs_sum = 0;
    for (int t = 0; t < r; ++t) {
      if (std::isnan(ee(t, i))) continue;
      sum += ee(t, i);
      abs_sum += std::fabs(ee(t, i));
      ++m.effects(i);
    }
    const int n = m.effects(i);
    if (n == 0) continue;
    m.mu(i) = sum / n;
    m.mu_star(i) = abs_sum / n;
    double squares = 0;
    for (int t = 0; t < r; ++t) {
      if (!std::isnan(ee(t, i))) squares += (ee(t, i) - m.mu(i)) * (ee(t, i) - m.mu(i));
    }
    m.sigma(i) = n > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  }

  // Bootstrap mu*: resample whole trajectories with replacement.
  Eigen::MatrixXd replicates(k, bootstrap);
  std::vector<int> rows(static_cast<std::size_t>(r));
  for (int b = 0; b < bootstrap; ++b) {
    Stream rng(seed, Kind::world, static_cast<std::uint64_t>(b), morris_bootstrap_day,
               Purpose::build);
    for (int& t : rows) t = static_cast<int>(rng.below(static_cast<std::uint64_t>(r)));
    replicates.col(b) = mean_abs(ee, rows);
  }
  std::tie(m.mu_star_lo, m.mu_star_hi) = percentile_interval(replicates, m.mu_star, level);
  return m;
}

SignSummary sign_summary(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  require(x.rows() == y.size() && y.size() > 0, "sign_summary: " + std::to_string(y.size()) +
                                                    " values for " + std::to_string(x.rows()) +
                                                    " design rows (expected as many, at least 1)");
  const Eigen::Index rows = y.size(), k = x.cols();
  SignSummary s;
  s.min = y.minCoeff();
  s.max = y.maxCoeff();
  s.mean = y.mean();
  s.negative = static_cast<double>((y.array() < 0).count()) / static_cast<double>(rows);
  s.positive = static_cast<double>((y.array() > 0).count()) / static_cast<double>(rows);
  s.lower = s.upper = Eigen::VectorXd::Zero(k);
  s.lower_rows = s.upper_rows = Eigen::VectorXi::Zero(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index r = 0; r < rows; ++r) {
      if (x(r, i) < 0.5) {
        s.lower(i) += y(r);
        ++s.lower_rows(i);
      } else if (x(r, i) > 0.5) {
        s.upper(i) += y(r);
        ++s.upper_rows(i);
      }
    }
    s.lower(i) = s.lower_rows(i) > 0 ? s.lower(i) / s.lower_rows(i) : std::nan("");
    s.upper(i) = s.upper_rows(i) > 0 ? s.upper(i) / s.upper_rows(i) : std::nan("");
  }
  return s;
}

Eigen::MatrixXd SaltelliDesign::points() const {
  Eigen::MatrixXd p(static_cast<Eigen::Index>(n) * (factors + 2), factors);
  p.topRows(n) = a;
  p.middleRows(n, n) = b;
  for (int i = 0; i < factors; ++i) {
    auto block = p.middleRows(static_cast<Eigen::Index>(2 + i) * n, n);
    block = a;
    block.col(i) = b.col(i);
  }
  return p;
}

SaltelliDesign saltelli_design(int factors, int n, std::uint64_t seed) {
  require(factors >= 1 && factors <= max_saltelli_factors,
          "factors must be in [1, " + std::to_string(max_saltelli_factors) + "], got " +
              std::to_string(factors));
  require(n >= 2, "n must be >= 2, got " + std::to_string(n));
  const int k = factors;
  boost::random::sobol sequence(static_cast<std::size_t>(2 * k));
  // The random digital shift: one 64-bit word per coordinate.
  Stream rng(seed, Kind::world, 0, saltelli_shift_day, Purpose::build);
  std::vector<std::uint64_t> shift(static_cast<std::size_t>(2 * k));
  for (auto& s : shift) s = rng.next();

  SaltelliDesign d{factors, n, Eigen::MatrixXd(n, k), Eigen::MatrixXd(n, k)};
  for (int row = 0; row < n; ++row) {
    for (int j = 0; j < 2 * k; ++j) {
      const std::uint64_t bits = static_cast<std::uint64_t>(sequence()) ^ shift[j];
      const double x = static_cast<double>(bits >> 11) * 0x1.0p-53;  // the top 53 bits
      if (j < k) {
        d.a(row, j) = x;
      } else {
        d.b(row, j - k) = x;
      }
    }
  }
  return d;
}

namespace {

struct SobolEstimate {
  Eigen::VectorXd first, total;
  double variance = 0;
};

// The Saltelli (2010) first-order and Jansen (1999) total-effect estimates
// from the rows `rows` (a resample of 0 .. n-1) of each block of y. f_B is
// centred on the mean of f_A and f_B so that no index depends on the output's
// offset (uncentred, the error of S_i grows with mean / sd of the output).
SobolEstimate sobol_estimate(const Eigen::VectorXd& y, int n, int k, const std::vector<int>& rows) {
  SobolEstimate e{Eigen::VectorXd::Zero(k), Eigen::VectorXd::Zero(k), 0.0};
  const auto f = [&](int block, int j) {
    return y(static_cast<Eigen::Index>(block) * n + rows[j]);
  };
  // V over f_A and f_B together (two passes); exactly 0 when they are all equal.
  double sum = 0, lowest = f(0, 0), highest = lowest;
  for (int block = 0; block < 2; ++block) {
    for (int j = 0; j < n; ++j) {
      sum += f(block, j);
      lowest = std::min(lowest, f(block, j));
      highest = std::max(highest, f(block, j));
    }
  }
  if (!(highest > lowest)) return e;
  const double mean = sum / (2.0 * n);
  double squares = 0;
  for (int block = 0; block < 2; ++block) {
    for (int j = 0; j < n; ++j) squares += (f(block, j) - mean) * (f(block, j) - mean);
  }
  e.variance = squares / (2.0 * n);

  for (int i = 0; i < k; ++i) {
    double first = 0, total = 0;
    for (int j = 0; j < n; ++j) {
      const double fa = f(0, j), fb = f(1, j), fab = f(2 + i, j);
      first += (fb - mean) * (fab - fa);
      total += (fa - fab) * (fa - fab);
    }
    e.first(i) = first / n / e.variance;
    e.total(i) = total / (2.0 * n) / e.variance;
  }
  return e;
}

}  // namespace

SobolIndices sobol_indices(const SaltelliDesign& d, const Eigen::VectorXd& y, int bootstrap,
                           std::uint64_t seed, double level) {
  const int k = d.factors, n = d.n;
  require(
      k >= 1 && n >= 1 && d.a.rows() == n && d.b.rows() == n && d.a.cols() == k && d.b.cols() == k,
      "SaltelliDesign: inconsistent sizes");
  const Eigen::Index rows = static_cast<Eigen::Index>(n) * (k + 2);
  require(y.size() == rows, "y has " + std::to_string(y.size()) + " values for " +
                                std::to_string(rows) + " design rows");
  check_resampling(bootstrap, level);

  std::vector<int> sample(static_cast<std::size_t>(n));
  std::iota(sample.begin(), sample.end(), 0);
  const SobolEstimate e = sobol_estimate(y, n, k, sample);

  // Bootstrap: resample the rows with replacement, the same rows in every block.
  Eigen::MatrixXd first(k, bootstrap), total(k, bootstrap);
  for (int b = 0; b < bootstrap; ++b) {
    Stream rng(seed, Kind::world, static_cast<std::uint64_t>(b), sobol_bootstrap_day,
               Purpose::build);
    for (int& j : sample) j = static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
    const SobolEstimate r = sobol_estimate(y, n, k, sample);
    first.col(b) = r.first;
    total.col(b) = r.total;
  }

  SobolIndices s;
  s.first = e.first;
  s.total = e.total;
  s.variance = e.variance;
  std::tie(s.first_lo, s.first_hi) = percentile_interval(first, e.first, level);
  std::tie(s.total_lo, s.total_hi) = percentile_interval(total, e.total, level);
  return s;
}

}  // namespace linksim::detail
