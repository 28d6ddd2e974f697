// Paired differences: the arithmetic on hand-made results, and on real runs
// the point of pairing: a narrower interval than the unpaired one.
#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

RunResult with_gmv(const std::vector<double>& gmv) {
  RunResult r;
  for (std::size_t i = 0; i < gmv.size(); ++i) {
    ReplicationResult rep;
    rep.metrics.assign(metric_info().size(), 1.0);
    rep.metrics[0] = gmv[i];
    rep.daily = Eigen::MatrixXd::Zero(1, 1);
    rep.monthly = Eigen::MatrixXd::Zero(1, 1);
    r.replications.push_back(rep);
  }
  aggregate(r);
  return r;
}

TEST(Compare, PairedDifferenceArithmetic) {
  const RunResult a = with_gmv({100, 110, 120, 130});
  const RunResult b = with_gmv({103, 112, 124, 131});  // differences 3, 2, 4, 1
  const auto d = paired_differences(a, b)[0];
  EXPECT_DOUBLE_EQ(d.diff.mean, 2.5);
  const double sd = std::sqrt(((0.5 * 0.5) * 2 + (1.5 * 1.5) * 2) / 3);
  EXPECT_NEAR(d.diff.sd, sd, 1e-12);
  const double t =
      boost::math::quantile(boost::math::complement(boost::math::students_t(3), 0.025));
  EXPECT_NEAR(d.diff.hi - d.diff.mean, t * sd / 2, 1e-9);
  EXPECT_TRUE(d.significant);
  EXPECT_DOUBLE_EQ(d.relative, 2.5 / 115);
  // Unpaired: the two samples' spread (sd about 12.9) swamps the difference.
  EXPECT_LT(d.unpaired.lo, 0);
  EXPECT_GT(d.unpaired.hi, 0);
  // Same replications: no difference, not significant.
  const auto same = paired_differences(a, a)[0];
  EXPECT_EQ(same.diff.mean, 0);
  EXPECT_FALSE(same.significant);
}

TEST(Compare, PairingNarrowsTheInterval) {
  // Two scenarios that differ slightly: the paired interval of the GMV
  // difference is much narrower than the unpaired one from the same runs.
  const Scenario a = test::small_world();
  const Scenario b = test::small_world("conversion: { base: 0.021 }\n");
  RunOptions options = test::threads(2);
  options.replications = 6;
  const Comparison c = compare({a, b}, options);
  const Difference& d = c.differences[1][0];
  const double paired = d.diff.hi - d.diff.lo, unpaired = d.unpaired.hi - d.unpaired.lo;
  EXPECT_LT(paired, 0.5 * unpaired) << paired << " vs " << unpaired;
  EXPECT_GT(d.diff.mean, 0);  // higher conversion, more GMV
  // Every scenario ran with the first one's seed and replication count.
  EXPECT_EQ(c.runs[1].scenario.seed, a.seed);
  EXPECT_EQ(c.runs[1].replications.size(), 6u);
}

}  // namespace
}  // namespace linksim

namespace linksim {
namespace {

// Closed loop and open links are the same world until the cut: compare runs
// their warm-up once and continues both from copies of it. Every output must
// be bit for bit what two separate runs give; a scenario whose warm-up
// differs (another key before the start) must not share.
TEST(Compare, SharedWarmupChangesNothing) {
  const std::vector<std::string> small{
      "population.buyers=2000",  "buyers.arrivals.per_day=4", "population.merchants=100",
      "population.streamers=30", "calendar.days=365",         "calendar.warmup_days=40",
      "replications=3"};
  const Scenario closed = load_scenario(test::bundled("closed_loop.yaml"), small);
  const Scenario open = load_scenario(test::bundled("open_links.yaml"), small);
  const Scenario kuaishou = load_scenario(test::bundled("kuaishou_2022.yaml"), small);
  EXPECT_TRUE(same_warmup(closed, open));
  Scenario other = open;
  other.buyers.follows = 3;
  EXPECT_FALSE(same_warmup(closed, other));

  RunOptions shared = test::threads(2);
  RunOptions separate = shared;
  separate.share_warmup = false;
  const Comparison a = compare({closed, open, kuaishou, other}, shared);
  const Comparison b = compare({closed, open, kuaishou, other}, separate);
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    for (std::size_t r = 0; r < a.runs[i].replications.size(); ++r) {
      const auto& x = a.runs[i].replications[r];
      const auto& y = b.runs[i].replications[r];
      EXPECT_EQ(x.seed, y.seed);
      ASSERT_EQ(x.metrics.size(), y.metrics.size());
      for (std::size_t m = 0; m < x.metrics.size(); ++m) {
        if (std::isnan(x.metrics[m]) && std::isnan(y.metrics[m])) continue;
        EXPECT_EQ(x.metrics[m], y.metrics[m]) << "scenario " << i << " metric " << m;
      }
      EXPECT_TRUE(x.daily.cwiseEqual(y.daily).count() + x.daily.array().isNaN().count() ==
                  x.daily.size())
          << "scenario " << i << " replication " << r;
    }
  }
}

}  // namespace
}  // namespace linksim
