// Global sensitivity analysis: which inputs of a model drive its output.
//
// Two methods, each a design (the points at which to run the model, every
// factor scaled to [0, 1]) and an estimator (indices from the model's outputs
// at those points):
// - Morris elementary effects (Morris 1991; mu* from Campolongo, Cariboni and
//   Saltelli 2007): a cheap screening, r (k + 1) runs for k factors.
// - Sobol' variance-based indices with Saltelli sampling (Saltelli et al.
//   2010): first-order and total effects, n (k + 2) runs.
//
// Every random draw comes from a counter-based Stream keyed by the seed, so a
// design and its indices are pure functions of their inputs: the same inputs
// and seeds give the same bits. Confidence intervals are bootstrap percentile
// intervals; with bootstrap = 0 they collapse onto the estimate.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace linksim::detail {

// ---- Morris ----------------------------------------------------------------

// r = `trajectories` one-at-a-time trajectories on a grid of p = `levels`
// levels {0, 1/(p-1), ..., 1} per factor. Trajectory t is rows
// t (k + 1) .. t (k + 1) + k of `points`; each row after the first changes one
// factor by +-delta, delta = p / (2 (p - 1)).
struct MorrisDesign {
  int factors = 0, trajectories = 0, levels = 0;
  // trajectories * (factors + 1) rows, factors columns, every value on the grid.
  Eigen::MatrixXd points;
  // trajectories * factors entries: moved[t * factors + s] is the factor that
  // changes between rows t (k + 1) + s and t (k + 1) + s + 1, s = 0 .. k - 1.
  std::vector<int> moved;
};

// Morris's (1991) random trajectories: for each trajectory a base point x*
// drawn uniformly from the lower half of the grid (so that x* + delta <= 1), a
// direction +-1 per factor and an order of the factors. The trajectory starts
// at x* (up) or x* + delta (down) and moves the factors one at a time in that
// order to the other end. With even p every level is equally likely. Draws:
// Stream(seed, Kind::world, trajectory, 0, Purpose::build). Throws
// std::invalid_argument unless factors >= 1, trajectories >= 1 and levels is
// even and >= 2.
MorrisDesign morris_design(int factors, int trajectories, int levels, std::uint64_t seed);

// Per factor: mu (mean elementary effect), mu_star (mean absolute effect,
// Campolongo et al. 2007), sigma (standard deviation of the effects, divisor
// n - 1; 0 when n = 1), a `level` bootstrap percentile interval for mu_star,
// and n = effects, the number of effects these are over: one per trajectory,
// less the steps that do not move the factor.
struct MorrisIndices {
  Eigen::VectorXd mu, mu_star, sigma, mu_star_lo, mu_star_hi;
  Eigen::VectorXi effects;
};

// The elementary effect of factor i in trajectory t is
// (y[after] - y[before]) / (x_i[after] - x_i[before]): output per unit of the
// [0, 1]-scaled factor, signed by the actual step direction. Pass the points
// as they were run: when the model rounds a factor (an integer key), the steps
// taken are not the design's delta, and a step can even vanish. A step with
// x_i[after] == x_i[before] has no effect and is left out (effects counts the
// rest); a factor with no effect left gets NaN for every statistic. y has one
// value per row of d.points. The interval resamples whole trajectories with
// replacement `bootstrap` times (draws keyed by `seed`), each resample's mu*
// over the effects its trajectories have (resamples with none are dropped).
// Throws std::invalid_argument when y has the wrong size or level is not in
// (0, 1).
MorrisIndices morris_indices(const MorrisDesign& d, const Eigen::VectorXd& y, int bootstrap,
                             std::uint64_t seed, double level = 0.95);

// Where the output lies over the rows of a design, and whether a factor moves
// it across 0: the quantity's least, greatest and mean value, the shares of
// rows where it is below and above 0, and per factor the mean over the rows
// whose value of the factor (scaled to [0, 1], as run) is below 1/2 and over
// those above 1/2 (a row exactly at 1/2 is in neither; NaN for an empty half).
// A factor "flips" the output when the two halves' means have opposite signs.
struct SignSummary {
  double min = 0, max = 0, mean = 0, negative = 0, positive = 0;
  Eigen::VectorXd lower, upper;
  Eigen::VectorXi lower_rows, upper_rows;
  bool flips(Eigen::Index factor) const {
    return (lower(factor) < 0 && upper(factor) > 0) || (lower(factor) > 0 && upper(factor) < 0);
  }
};
// x: one row per design row (factors as columns), y: one value per row.
// Throws std::invalid_argument when the sizes differ or there are no rows.
SignSummary sign_summary(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);

// ---- Sobol' / Saltelli -----------------------------------------------------

// Two n x k quasi-random matrices A and B in [0, 1).
struct SaltelliDesign {
  int factors = 0, n = 0;
  Eigen::MatrixXd a, b;
  // The n (k + 2) points to run, in blocks of n rows: A, then B, then A_B^1 ..
  // A_B^k, where A_B^i is A with column i taken from B.
  Eigen::MatrixXd points() const;
};

// A and B are the first and last k coordinates of the first n points of the
// 2k-dimensional Sobol' sequence (boost::random::sobol, Joe and Kuo 2008
// direction numbers). Boost's sequence already starts after the origin (at the
// all-1/2 point), which skips the customary first point. Each coordinate's
// 64-bit integer is then XORed with a random 64-bit word (a random digital
// shift, drawn from Stream(seed, Kind::world, 0, 2, Purpose::build)), which
// keeps the net structure of the points while making different seeds give
// different designs. n need not be a power of 2, but powers of 2 balance best.
// Throws std::invalid_argument unless 1 <= factors <= 1833 and n >= 2.
SaltelliDesign saltelli_design(int factors, int n, std::uint64_t seed);

// Per factor: first-order and total-effect indices with `level` bootstrap
// percentile intervals, and V, the output variance they are fractions of.
struct SobolIndices {
  Eigen::VectorXd first, total, first_lo, first_hi, total_lo, total_hi;
  double variance = 0;
};

// Estimators from Saltelli et al. (2010), Table 2, with f_A, f_B, f_ABi the
// outputs on the blocks of d.points() (y in that order) and f0 the mean of f_A
// and f_B together:
// - V = the variance (divisor 2n) of f_A and f_B together;
// - first order, the estimator Saltelli et al. (2010) propose:
//   S_i = mean((f_B - f0) (f_ABi - f_A)) / V. Unlike Sobol' (1993) it
//   subtracts no f0^2 (cancellation when the mean is large), and centring f_B
//   (which changes nothing in expectation) makes it invariant to an
//   offset of the output, as a simulator's totals often have a large one;
// - total effect (Jansen 1999): ST_i = mean((f_A - f_ABi)^2) / (2 V).
// The intervals resample the n rows with replacement (the same row of A, B
// and every A_B^i together) `bootstrap` times, draws keyed by `seed`.
// Estimates are not clipped to [0, 1]: small indices can come out slightly
// negative. A constant output (f_A and f_B all equal) has V = 0 and every
// index and interval bound is reported as 0, never NaN; so is a bootstrap
// resample whose f_A and f_B are all equal. Throws std::invalid_argument when
// y has the wrong size or level is not in (0, 1).
SobolIndices sobol_indices(const SaltelliDesign& d, const Eigen::VectorXd& y, int bootstrap,
                           std::uint64_t seed, double level = 0.95);

}  // namespace linksim::detail
