// Morris elementary effects against closed forms: a linear function, steps
// that do not move, and Ishigami on the 4-level grid; the design's structure
// and determinism; and where an output lies over a design and which factor
// flips its sign (sign_summary).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "analysis/sensitivity.hpp"
#include "analysis/test_functions.hpp"

namespace linksim::detail {
namespace {

using namespace closed_form;

// ---- Morris ----------------------------------------------------------------

// Every row on the grid; each step moves the factor named in `moved`, by
// +-delta, and each factor once per trajectory; both directions occur.
TEST(Sensitivity, MorrisDesignLayout) {
  const int k = 5, r = 40, p = 6;
  const MorrisDesign d = morris_design(k, r, p, 3);
  ASSERT_EQ(d.points.rows(), r * (k + 1));
  ASSERT_EQ(d.points.cols(), k);
  ASSERT_EQ(d.moved.size(), static_cast<std::size_t>(r * k));
  const double delta = p / (2.0 * (p - 1));
  int up = 0, down = 0;
  for (int row = 0; row < d.points.rows(); ++row) {
    for (int i = 0; i < k; ++i) {
      const double level = d.points(row, i) * (p - 1);
      EXPECT_NEAR(level, std::round(level), 1e-12);
      EXPECT_TRUE(level >= -1e-12 && level <= p - 1 + 1e-12);
    }
  }
  for (int t = 0; t < r; ++t) {
    std::vector<int> times_moved(k, 0);
    for (int s = 0; s < k; ++s) {
      const int row = t * (k + 1) + s + 1, moved = d.moved[t * k + s];
      ++times_moved[moved];
      const Eigen::RowVectorXd step = d.points.row(row) - d.points.row(row - 1);
      for (int i = 0; i < k; ++i) EXPECT_TRUE(i == moved || step(i) == 0.0) << i;
      EXPECT_NEAR(std::fabs(step(moved)), delta, 1e-12);
      (step(moved) > 0 ? up : down) += 1;
    }
    EXPECT_EQ(times_moved, std::vector<int>(k, 1)) << t;
  }
  EXPECT_GT(up, r * k / 4);
  EXPECT_GT(down, r * k / 4);
}

// The statistics of hand-made effects 1, -2 and 4 of one factor: mu = 1,
// mu* = 7/3, sigma = sqrt((0 + 9 + 9) / 2) = 3.
TEST(Sensitivity, MorrisArithmetic) {
  const MorrisDesign d = morris_design(1, 3, 4, 6);
  const std::vector<double> effects{1, -2, 4};
  Eigen::VectorXd y = Eigen::VectorXd::Zero(6);
  for (int t = 0; t < 3; ++t)
    y(2 * t + 1) = effects[t] * (d.points(2 * t + 1, 0) - d.points(2 * t, 0));
  const MorrisIndices m = morris_indices(d, y, 0, 1);
  EXPECT_NEAR(m.mu(0), 1.0, 1e-12);
  EXPECT_NEAR(m.mu_star(0), 7.0 / 3, 1e-12);
  EXPECT_NEAR(m.sigma(0), 3.0, 1e-12);
  // A resample of three trajectories is all |1|s or all |4|s 1 time in 27:
  // the 99% percentile interval spans exactly [1, 4].
  const MorrisIndices b = morris_indices(d, y, 1000, 1, 0.99);
  EXPECT_NEAR(b.mu_star_lo(0), 1.0, 1e-12);
  EXPECT_NEAR(b.mu_star_hi(0), 4.0, 1e-12);
}

// For y = sum c_i x_i every elementary effect of x_i is c_i: mu = c_i,
// mu* = |c_i|, sigma = 0, and 0 for the factor y ignores.
TEST(Sensitivity, MorrisLinearFunction) {
  const std::vector<double> c{2, -3, 0.5, 10, 0};
  const MorrisDesign d = morris_design(5, 30, 4, 17);
  const auto linear = [&](const Eigen::RowVectorXd& x) {
    double y = 0;
    for (int i = 0; i < 5; ++i) y += c[i] * x(i);
    return y;
  };
  const MorrisIndices m = morris_indices(d, evaluate(d.points, linear), 100, 3);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(m.mu(i), c[i], 1e-12) << i;
    EXPECT_NEAR(m.mu_star(i), std::fabs(c[i]), 1e-12) << i;
    EXPECT_NEAR(m.sigma(i), 0.0, 1e-12) << i;
    EXPECT_NEAR(m.mu_star_lo(i), std::fabs(c[i]), 1e-12) << i;
    EXPECT_NEAR(m.mu_star_hi(i), std::fabs(c[i]), 1e-12) << i;
  }
  EXPECT_EQ(m.mu_star(4), 0.0);
}

// A step that leaves its factor where it was (an integer key rounded to the
// same value) has no effect: it is left out of that factor's statistics, and
// a factor with no step left gets NaN, never a division by 0.
TEST(Sensitivity, MorrisLeavesOutStepsThatDoNotMove) {
  const int k = 2, r = 4;
  MorrisDesign d = morris_design(k, r, 4, 5);
  // Freeze factor `f` from step s of trajectory t on (the rows as run).
  const auto freeze = [&](int f, int t) {
    for (int s = 0; s < k; ++s) {
      if (d.moved[t * k + s] != f) continue;
      const int row = t * (k + 1) + s + 1;
      for (int later = row; later < (t + 1) * (k + 1); ++later) {
        d.points(later, f) = d.points(row - 1, f);
      }
    }
  };
  freeze(0, 1);
  const auto linear = [](const Eigen::RowVectorXd& x) { return 3 * x(0) - 2 * x(1); };
  const MorrisIndices m = morris_indices(d, evaluate(d.points, linear), 200, 1);
  EXPECT_EQ(m.effects(0), r - 1);
  EXPECT_EQ(m.effects(1), r);
  EXPECT_NEAR(m.mu(0), 3.0, 1e-12);
  EXPECT_NEAR(m.mu_star(0), 3.0, 1e-12);
  EXPECT_NEAR(m.sigma(0), 0.0, 1e-12);
  EXPECT_NEAR(m.mu_star_lo(0), 3.0, 1e-12);
  EXPECT_NEAR(m.mu_star_hi(0), 3.0, 1e-12);
  EXPECT_NEAR(m.mu(1), -2.0, 1e-12);

  for (int t = 0; t < r; ++t) freeze(0, t);
  const MorrisIndices none = morris_indices(d, evaluate(d.points, linear), 200, 1);
  EXPECT_EQ(none.effects(0), 0);
  for (const auto* v : {&none.mu, &none.mu_star, &none.sigma, &none.mu_star_lo, &none.mu_star_hi}) {
    EXPECT_TRUE(std::isnan((*v)(0)));
    EXPECT_TRUE(std::isfinite((*v)(1)));
  }
}

// On the 4-level grid (x in {-pi, -pi/3, pi/3, pi}, delta = 2/3) the effects
// of Ishigami take two values each, so mu* has a closed form:
// - x2: |7 (sin^2(pi/3) - 0)| / (2/3) = 7.875 on every step (mu about 0);
// - x1: 1.5 sin(pi/3) (1 + b x3^4), x3^4 = pi^4 or (pi/3)^4 with equal chance,
//   always positive: mu = mu*;
// - x3: 1.5 b pi^4 (80/81) |sin x1|, |sin x1| = 0 or sin(pi/3) with equal
//   chance, its sign random: mu about 0 and sigma > mu*, an interaction.
// So mu*: x2 (7.875) > x1 (7.70) > x3 (6.25) > 0.
TEST(Sensitivity, MorrisIshigami) {
  const int r = 500;
  const MorrisDesign d = morris_design(3, r, 4, 2024);
  const MorrisIndices m = morris_indices(d, evaluate(d.points, ishigami), 500, 9);
  const double b = ishigami_b, pi4 = std::pow(pi, 4), s = std::sin(pi / 3);
  const double x1_hi = 1.5 * s * (1 + b * pi4), x1_lo = 1.5 * s * (1 + b * pi4 / 81);
  const double x3_hi = 1.5 * b * pi4 * 80 / 81 * s;
  // Expected mu* and the standard error of its mean over r trajectories.
  const double mu1 = (x1_hi + x1_lo) / 2, se1 = (x1_hi - x1_lo) / 2 / std::sqrt(r);
  const double mu3 = x3_hi / 2, se3 = x3_hi / 2 / std::sqrt(r);

  EXPECT_NEAR(m.mu_star(1), 7.875, 1e-9);
  EXPECT_NEAR(m.mu_star(0), mu1, 5 * se1);
  EXPECT_NEAR(m.mu_star(2), mu3, 5 * se3);
  EXPECT_DOUBLE_EQ(m.mu(0), m.mu_star(0));
  EXPECT_LT(std::fabs(m.mu(2)), 5 * x3_hi / std::sqrt(2.0 * r));
  EXPECT_GT(m.sigma(2), m.mu_star(2));
  EXPECT_GT(m.mu_star(0), m.mu_star(2));
  EXPECT_GT(m.mu_star(1), m.mu_star(2));
  EXPECT_GT(m.mu_star(2), 0.0);
  EXPECT_LE(m.mu_star_lo(0), mu1);
  EXPECT_GE(m.mu_star_hi(0), mu1);
  EXPECT_LE(m.mu_star_lo(2), mu3);
  EXPECT_GE(m.mu_star_hi(2), mu3);
}

TEST(Sensitivity, MorrisIsAFunctionOfItsSeeds) {
  const MorrisDesign d1 = morris_design(4, 20, 4, 8), d2 = morris_design(4, 20, 4, 8);
  EXPECT_TRUE(bitwise_equal(d1.points, d2.points));
  EXPECT_EQ(d1.moved, d2.moved);
  const MorrisDesign other = morris_design(4, 20, 4, 9);
  EXPECT_FALSE(bitwise_equal(d1.points, other.points));
  const auto f = [](const Eigen::RowVectorXd& x) { return ishigami(x.head(3)) * (1 + x(3)); };
  const Eigen::VectorXd y = evaluate(d1.points, f);
  const MorrisIndices m1 = morris_indices(d1, y, 100, 2), m2 = morris_indices(d2, y, 100, 2);
  EXPECT_TRUE(bitwise_equal(m1.mu_star, m2.mu_star));
  EXPECT_TRUE(bitwise_equal(m1.sigma, m2.sigma));
  EXPECT_TRUE(bitwise_equal(m1.mu_star_lo, m2.mu_star_lo));
  EXPECT_TRUE(bitwise_equal(m1.mu_star_hi, m2.mu_star_hi));
  EXPECT_FALSE(bitwise_equal(m1.mu_star_lo, morris_indices(d1, y, 100, 3).mu_star_lo));
}

// ---- Sign over the design -------------------------------------------------

// On the full 4 x 4 grid, y = 6 (x1 - 1/2) + 0.6 (x2 - 1/2) + 1/2 is negative
// exactly where x1 is in the lower half: x1 flips the sign (halves' means
// -1.5 and 2.5), x2 does not (0.3 and 0.7). A row at exactly 1/2 is in
// neither half; an empty half's mean is NaN and flips nothing.
TEST(Sensitivity, SignSummaryFlipsWithOneFactorAndNotTheOther) {
  Eigen::MatrixXd x(16, 2);
  for (int r = 0; r < 16; ++r) {
    x(r, 0) = (r / 4) / 3.0;
    x(r, 1) = (r % 4) / 3.0;
  }
  const auto f = [](const Eigen::RowVectorXd& u) {
    return 6 * (u(0) - 0.5) + 0.6 * (u(1) - 0.5) + 0.5;
  };
  const SignSummary s = sign_summary(x, evaluate(x, f));
  EXPECT_NEAR(s.min, -2.8, 1e-12);
  EXPECT_NEAR(s.max, 3.8, 1e-12);
  EXPECT_NEAR(s.mean, 0.5, 1e-12);
  EXPECT_EQ(s.negative, 0.5);
  EXPECT_EQ(s.positive, 0.5);
  EXPECT_NEAR(s.lower(0), -1.5, 1e-12);
  EXPECT_NEAR(s.upper(0), 2.5, 1e-12);
  EXPECT_NEAR(s.lower(1), 0.3, 1e-12);
  EXPECT_NEAR(s.upper(1), 0.7, 1e-12);
  EXPECT_EQ(s.lower_rows, Eigen::Vector2i(8, 8));
  EXPECT_EQ(s.upper_rows, Eigen::Vector2i(8, 8));
  EXPECT_TRUE(s.flips(0));
  EXPECT_FALSE(s.flips(1));

  const SignSummary middle =
      sign_summary(Eigen::MatrixXd::Constant(2, 1, 0.5), Eigen::Vector2d(-1, 0));
  EXPECT_EQ(middle.lower_rows(0) + middle.upper_rows(0), 0);
  EXPECT_TRUE(std::isnan(middle.lower(0)));
  EXPECT_FALSE(middle.flips(0));
  EXPECT_EQ(middle.negative, 0.5);
  EXPECT_EQ(middle.positive, 0.0);
  EXPECT_THROW(sign_summary(x, Eigen::VectorXd::Zero(3)), std::invalid_argument);
}

}  // namespace
}  // namespace linksim::detail
