// Sequential Monte Carlo ABC (engine/analysis/abc.cpp) on models whose
// posterior is known exactly: the normal mean with a flat prior, also where
// the prior's bound truncates it (which checks the importance weights of
// proposals near the edge), the same answer on any number of threads, a
// journal that resumes to the same generations, and the coverage of the 90%
// interval over repeated trials (simulation-based calibration).
#include "analysis/abc.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <fstream>

#include "rng.hpp"
#include "support.hpp"

namespace linksim::detail {
namespace {

namespace fs = std::filesystem;

// y ~ N(theta, sigma^2 / n) (the mean of n draws), theta = lo + (hi - lo) z
// with z uniform on [0, 1]: the posterior is N(ybar, sigma^2 / n) truncated
// to [lo, hi].
struct NormalMean {
  double lo = -5, hi = 5, sd = 1.0 / std::sqrt(10.0);
  double theta(double z) const { return lo + (hi - lo) * z; }
  AbcProblem problem(double observed) const {
    AbcProblem p;
    p.dims = 1;
    p.observed = {observed};
    p.weights = {1};
    p.simulate = [this](const std::vector<double>& z, std::uint64_t seed) {
      Stream rng(seed, 0);
      return std::vector<double>{theta(z[0]) + sd * rng.normal()};
    };
    return p;
  }
  // Mean and sd of the exact (truncated normal) posterior.
  std::pair<double, double> exact(double y) const {
    const boost::math::normal n01;
    const double a = (lo - y) / sd, b = (hi - y) / sd;
    const double z = boost::math::cdf(n01, b) - boost::math::cdf(n01, a);
    const double pa = boost::math::pdf(n01, a), pb = boost::math::pdf(n01, b);
    const double mean = y + sd * (pa - pb) / z;
    const double var = sd * sd * (1 + (a * pa - b * pb) / z - std::pow((pa - pb) / z, 2));
    return {mean, std::sqrt(var)};
  }
};

std::pair<double, double> posterior_moments(const AbcOutcome& out, const NormalMean& m) {
  const auto& g = out.generations.back();
  double mean = 0, sq = 0;
  for (std::size_t i = 0; i < g.unit.size(); ++i) mean += g.weight[i] * m.theta(g.unit[i][0]);
  for (std::size_t i = 0; i < g.unit.size(); ++i) {
    sq += g.weight[i] * std::pow(m.theta(g.unit[i][0]) - mean, 2);
  }
  return {mean, std::sqrt(sq)};
}

AbcSettings settings(int particles, int generations, std::uint64_t seed, int threads = 1) {
  AbcSettings s;
  s.particles = particles;
  s.generations = generations;
  s.seed = seed;
  s.threads = threads;
  s.min_acceptance = 0.0;
  return s;
}

// With 10 generations the tolerance ends far below the posterior's sd, so the
// ABC posterior is the exact one up to Monte Carlo error: the mean within 3
// standard errors (sd / sqrt(ESS), ESS above 500 here) plus 0.01, the sd
// within 10%.
TEST(Abc, NormalMeanMatchesTheExactPosterior) {
  const NormalMean m;
  const AbcOutcome out = abc_smc(m.problem(1.3), settings(1000, 10, 11), nullptr);
  ASSERT_EQ(out.generations.size(), 10u);
  const auto [mean, sd] = posterior_moments(out, m);
  const auto [exact_mean, exact_sd] = m.exact(1.3);
  const double ess = out.generations.back().ess();
  EXPECT_GT(ess, 500);
  EXPECT_NEAR(mean, exact_mean, 3 * exact_sd / std::sqrt(ess) + 0.01);
  EXPECT_NEAR(sd, exact_sd, 0.1 * exact_sd);
  // The tolerances shrink.
  for (std::size_t g = 2; g < out.generations.size(); ++g) {
    EXPECT_LT(out.generations[g].epsilon, out.generations[g - 1].epsilon);
  }
}

// Observed next to the prior's upper bound: the posterior is a truncated
// normal, its mean 0.19 below the observation. Proposals beyond the bound are
// rejected and the weights must account for it.
TEST(Abc, TruncatedPosteriorAtThePriorsBound) {
  const NormalMean m;
  const double y = 4.9;
  const AbcOutcome out = abc_smc(m.problem(y), settings(1000, 10, 12), nullptr);
  const auto [mean, sd] = posterior_moments(out, m);
  const auto [exact_mean, exact_sd] = m.exact(y);
  ASSERT_LT(exact_mean, y - 0.15);  // the bound matters
  const double ess = out.generations.back().ess();
  EXPECT_NEAR(mean, exact_mean, 3 * exact_sd / std::sqrt(ess) + 0.01);
  EXPECT_NEAR(sd, exact_sd, 0.1 * exact_sd);
}

bool same(const AbcOutcome& a, const AbcOutcome& b) {
  if (a.generations.size() != b.generations.size() || a.scale != b.scale) return false;
  for (std::size_t g = 0; g < a.generations.size(); ++g) {
    const auto& x = a.generations[g];
    const auto& y = b.generations[g];
    if (x.unit != y.unit || x.weight != y.weight || x.distance != y.distance ||
        x.attempts != y.attempts || x.simulated != y.simulated || x.epsilon != y.epsilon) {
      return false;
    }
  }
  return true;
}

// Two keys, correlated in the posterior (only their sum is observed, plus a
// weak second summary): the same bits on 1 and 2 threads.
AbcProblem two_keys() {
  AbcProblem p;
  p.dims = 2;
  p.observed = {1.0, 0.3};
  p.weights = {1, 0.5};
  p.simulate = [](const std::vector<double>& z, std::uint64_t seed) {
    Stream rng(seed, 0);
    return std::vector<double>{z[0] + z[1] + 0.05 * rng.normal(), z[0] + 0.3 * rng.normal()};
  };
  return p;
}

TEST(Abc, SameOnAnyThreadCount) {
  const AbcOutcome one = abc_smc(two_keys(), settings(200, 5, 3, 1), nullptr);
  const AbcOutcome two = abc_smc(two_keys(), settings(200, 5, 3, 2), nullptr);
  EXPECT_TRUE(same(one, two));
}

// A journal cut after some of its lines, its last line half written (as a
// SIGKILL leaves it), resumes to the same generations, simulating only what
// is missing.
TEST(Abc, JournalResumesToTheSameGenerations) {
  const fs::path dir = test::temp_path("linksim_abc_journal");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "journal.csv";
  Ensemble alone;  // this process, rank 0 of 1: it writes the journal
  AbcOutcome whole;
  {
    AbcJournal journal(file, "fp", 2, 2, true, alone);
    whole = abc_smc(two_keys(), settings(100, 4, 5, 2), &journal);
  }
  const std::string text = test::read_file(file);
  // Keep the header and the first 250 lines, then half of the next.
  std::size_t at = 0;
  for (int i = 0; i < 251; ++i) at = text.find('\n', at) + 1;
  const std::size_t half = text.find('\n', at);
  std::ofstream(file, std::ios::trunc) << text.substr(0, at + (half - at) / 2);
  AbcOutcome resumed;
  {
    AbcJournal journal(file, "fp", 2, 2, true, alone);
    EXPECT_EQ(journal.size(), 250u);
    resumed = abc_smc(two_keys(), settings(100, 4, 5, 1), &journal);
  }
  EXPECT_TRUE(same(whole, resumed));
  EXPECT_EQ(resumed.replayed, 250);
  EXPECT_EQ(resumed.simulations + resumed.replayed, whole.simulations);
  // The journal is whole again: a third run simulates nothing.
  AbcJournal journal(file, "fp", 2, 2, true, alone);
  const AbcOutcome third = abc_smc(two_keys(), settings(100, 4, 5, 1), &journal);
  EXPECT_EQ(third.simulations, 0);
  EXPECT_TRUE(same(whole, third));
  // Another problem's journal is refused.
  EXPECT_THROW(AbcJournal(file, "other", 2, 2, true, alone), std::runtime_error);
  fs::remove_all(dir);
}

// Simulation-based calibration: theta drawn from the prior, data simulated at
// it, the posterior's 90% interval checked for theta; over 100 trials it must
// cover about 90 times (binomial sd 3 trials; 82 to 97 is outside +-2.5 sd).
TEST(Abc, NinetyPercentIntervalsCoverInRepeatedTrials) {
  const NormalMean m;
  int covered = 0;
  const int trials = 100;
  for (int t = 0; t < trials; ++t) {
    Stream rng(99, static_cast<std::uint64_t>(t));
    const double truth = m.theta(rng.uniform());
    const double y = truth + m.sd * rng.normal();
    const AbcOutcome out =
        abc_smc(m.problem(y), settings(300, 6, 1000 + static_cast<std::uint64_t>(t)), nullptr);
    const auto& g = out.generations.back();
    std::vector<std::pair<double, double>> vw;
    for (std::size_t i = 0; i < g.unit.size(); ++i)
      vw.emplace_back(m.theta(g.unit[i][0]), g.weight[i]);
    const double lo = weighted_quantile(vw, 0.05), hi = weighted_quantile(vw, 0.95);
    covered += truth >= lo && truth <= hi;
  }
  RecordProperty("covered", covered);
  EXPECT_GE(covered, 82);
  EXPECT_LE(covered, 97);
}

}  // namespace
}  // namespace linksim::detail
