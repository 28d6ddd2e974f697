// The random draws against their distributions' known moments, and the fast
// exp against std::exp.
#include "rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "alias.hpp"
#include "fastmath.hpp"

namespace linksim::detail {
namespace {

struct Moments {
  double mean = 0, var = 0;
};

template <class Draw>
Moments moments(int n, Draw draw) {
  double s = 0, ss = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw(i);
    s += x;
    ss += x * x;
  }
  return {s / n, ss / n - (s / n) * (s / n)};
}

// Mean within 5 standard errors (a false alarm about once in 3 million).
void expect_mean(const Moments& m, double mean, double var, int n) {
  EXPECT_NEAR(m.mean, mean, 5 * std::sqrt(var / n));
  EXPECT_NEAR(m.var, var, 0.05 * var);
}

TEST(Rng, PoissonSmallAndLargeMeans) {
  const int n = 200000;
  for (double lambda : {0.3, 4.0, 11.9, 12.0, 30.0, 250.0}) {
    const auto m = moments(n, [&](int i) {
      Stream s(42, Kind::world, static_cast<std::uint64_t>(i), 0, Purpose::entry);
      return static_cast<double>(s.poisson(lambda));
    });
    expect_mean(m, lambda, lambda, n);
  }
}

TEST(Rng, GammaAndBeta) {
  const int n = 200000;
  for (double shape : {0.3, 1.0, 5.0}) {
    const auto m = moments(n, [&](int i) {
      Stream s(7, Kind::buyer, static_cast<std::uint64_t>(i), 0, Purpose::build);
      return s.gamma(shape);
    });
    expect_mean(m, shape, shape, n);
  }
  const double a = 2.0, b = 3.0;
  const auto m = moments(n, [&](int i) {
    Stream s(9, Kind::merchant, static_cast<std::uint64_t>(i), 0, Purpose::build);
    return s.beta(a, b);
  });
  expect_mean(m, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)), n);
}

TEST(Rng, GammasAreTheDrawsOfSuccessiveGammaCalls) {
  const std::vector<GammaShape> shapes{GammaShape(0.4), GammaShape(1.0), GammaShape(1.7),
                                       GammaShape(0.05), GammaShape(0.0)};
  for (std::uint64_t id = 0; id < 1000; ++id) {
    Stream one(3, Kind::buyer, id, -1, Purpose::build);
    Stream many = one;
    std::vector<double> out(5);
    const double total = many.gammas(shapes, out);
    double sum = 0;
    for (int k = 0; k < 5; ++k) {
      const double x = one.gamma(shapes[k]);
      ASSERT_EQ(out[k], x) << id << " " << k;
      sum += x;
    }
    ASSERT_EQ(total, sum);
    ASSERT_EQ(many.uniform(), one.uniform());  // both streams at the same place
  }
}

TEST(Rng, UniformNormalAndBounded) {
  const int n = 200000;
  expect_mean(
      moments(n, [](int i) { return Stream(1, Kind::order, i, 3, Purpose::delivery).uniform(); }),
      0.5, 1.0 / 12, n);
  expect_mean(
      moments(n, [](int i) { return Stream(2, Kind::order, i, 3, Purpose::delivery).normal(); }),
      0.0, 1.0, n);
  expect_mean(moments(n,
                      [](int i) {
                        return static_cast<double>(
                            Stream(3, Kind::order, i, 3, Purpose::delivery).below(10));
                      }),
              4.5, 8.25, n);
}

// The ziggurat's tails (a separate branch of Boost.Random's code) at their
// exact probabilities: P(|Z| > 3) for the normal, P(X > 5) for the exponential.
TEST(Rng, ExponentialAndTheZigguratTails) {
  constexpr int n = 400000;
  expect_mean(
      moments(n,
              [](int i) { return Stream(4, Kind::buyer, i, 3, Purpose::sessions).exponential(); }),
      1.0, 1.0, n);
  int normal_tail = 0, exp_tail = 0;
  for (int i = 0; i < n; ++i) {
    Stream s(5, Kind::buyer, i, 3, Purpose::sessions);
    normal_tail += std::fabs(s.normal()) > 3.0;
    exp_tail += s.exponential() > 5.0;
  }
  const auto expect_count = [](int count, double p) {
    EXPECT_NEAR(count, n * p, 5 * std::sqrt(n * p * (1 - p)));
  };
  expect_count(normal_tail, std::erfc(3.0 / std::sqrt(2.0)));
  expect_count(exp_tail, std::exp(-5.0));
}

TEST(Rng, StreamsAreKeyedByEveryPart) {
  const double base = Stream(1, Kind::buyer, 5, 10, Purpose::sessions).uniform();
  EXPECT_NE(base, Stream(2, Kind::buyer, 5, 10, Purpose::sessions).uniform());
  EXPECT_NE(base, Stream(1, Kind::merchant, 5, 10, Purpose::sessions).uniform());
  EXPECT_NE(base, Stream(1, Kind::buyer, 6, 10, Purpose::sessions).uniform());
  EXPECT_NE(base, Stream(1, Kind::buyer, 5, 11, Purpose::sessions).uniform());
  EXPECT_NE(base, Stream(1, Kind::buyer, 5, 10, Purpose::cart).uniform());
  EXPECT_EQ(base, Stream(1, Kind::buyer, 5, 10, Purpose::sessions).uniform());
  EXPECT_NE(replication_seed(1, 0), replication_seed(1, 1));
}

TEST(Rng, AliasTableFrequencies) {
  const std::vector<double> w{1, 0, 3, 6};
  AliasTable t(w);
  std::vector<int> count(4, 0);
  const int n = 400000;
  for (int i = 0; i < n; ++i) {
    Stream s(11, Kind::world, i, 0, Purpose::live);
    ++count[t.draw(s)];
  }
  EXPECT_EQ(count[1], 0);
  for (int k : {0, 2, 3}) {
    const double p = w[k] / 10;
    EXPECT_NEAR(count[k] / double(n), p, 5 * std::sqrt(p * (1 - p) / n)) << k;
  }
}

TEST(Rng, FastExpIsAccurate) {
  double worst = 0;
  for (double x = -30; x <= 30; x += 0.001) {
    worst = std::max(worst, std::fabs(fast_exp(x) / std::exp(x) - 1));
  }
  EXPECT_LT(worst, 2e-7);
  EXPECT_EQ(fast_exp(-800), 0.0);
}

TEST(Rng, RoundNonnegativeIsStdRound) {
  // Ties, the largest doubles below a half and a tie, integers, the edge of
  // the integers at 2^52, huge values, infinity; then a million random values
  // in the range of a buyer's fixed-point preference.
  for (double x :
       {0.0, 0.5, 1.5, 2.5, 0.49999999999999994, 1.4999999999999998, 65534.5, 65535.0,
        4503599627370495.5, 4503599627370496.0, 4503599627370497.0, 1e19, 1e300, HUGE_VAL}) {
    EXPECT_EQ(round_nonnegative(x), std::round(x)) << x;
  }
  EXPECT_TRUE(std::isnan(round_nonnegative(NAN)));
  Stream rng(1, 2);
  for (int i = 0; i < 1000000; ++i) {
    const double x = rng.uniform() * 70000.0;
    ASSERT_EQ(round_nonnegative(x), std::round(x)) << x;
  }
}

}  // namespace
}  // namespace linksim::detail
