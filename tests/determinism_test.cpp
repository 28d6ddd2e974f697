// Determinism: the same scenario and seed give bit-identical results for any
// thread count; different seeds differ; scenarios with the same seed share
// their random streams.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "linksim/distributed.hpp"
#include "support.hpp"

namespace linksim {
namespace {

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

bool identical(const RunResult& a, const RunResult& b) {
  if (a.replications.size() != b.replications.size()) return false;
  for (std::size_t r = 0; r < a.replications.size(); ++r) {
    const auto& x = a.replications[r];
    const auto& y = b.replications[r];
    if (x.seed != y.seed || x.metrics.size() != y.metrics.size() ||
        std::memcmp(x.metrics.data(), y.metrics.data(), sizeof(double) * x.metrics.size()) != 0 ||
        !same_bits(x.daily, y.daily) || !same_bits(x.monthly, y.monthly) ||
        !same_bits(x.quarterly, y.quarterly)) {
      return false;
    }
  }
  return true;
}

const Scenario& world() {
  static const Scenario s = test::small_world(
      "merchants: { origin_mix: { native: 0.7, taobao: 0.2, jd: 0.1 } }\n"
      "events: [{ type: promotion, from: 2022-02-01, to: 2022-02-10, traffic: 2 }]\n");
  return s;
}

TEST(Determinism, SameSeedTwiceIsIdentical) {
  EXPECT_TRUE(identical(run(world(), test::threads(1)), run(world(), test::threads(1))));
}

TEST(Determinism, ThreadCountDoesNotMatter) {
  RunOptions one = test::threads(1), two = test::threads(2), four = test::threads(4);
  one.replications = two.replications = four.replications = 2;
  const RunResult a = run(world(), one);
  EXPECT_TRUE(identical(a, run(world(), two)));
  EXPECT_TRUE(identical(a, run(world(), four)));
  // One replication on 4 threads: the demand phase itself runs in parallel.
  one.replications = four.replications = 1;
  EXPECT_TRUE(identical(run(world(), one), run(world(), four)));
}

TEST(Determinism, TheSplitWorldsPathIsTheSameOnOneProcess) {
  // --partition-buyers on one process: the world built as a slice of every
  // chunk and each day's demand packed, exchanged and unpacked as between MPI
  // ranks (tests/distributed/mpi_test.cpp runs it on 2 and 3).
  Scenario big = world();
  big.population.buyers = 20000;  // 3 demand chunks
  RunOptions plain = test::threads(2), split = test::threads(2);
  plain.replications = split.replications = 2;
  split.partition_buyers = true;
  EXPECT_TRUE(identical(run(big, plain), run(big, split)));
}

// Model v2's world (scenarios/platform.yaml): arrivals and lapses, search,
// union pools, streamers' income, exits and entry, a subsidy and recurring
// festivals, small enough for the sanitizer build.
const Scenario& world_v2() {
  static const Scenario s = test::scenario_from(
      "extends: platform.yaml\n"
      "name: small_v2\n"
      "replications: 3\n"
      "calendar: { start: 2022-01-01, days: 100, warmup_days: 40 }\n"
      "population: { buyers: 20000, merchants: 150, streamers: 60 }\n"
      "buyers: { arrivals: { per_day: 60 }, lapse: { hazard: 0.004 } }\n"
      "streamers: { reservation_income: 2000, patience_months: 1, entry: { per_day: 1 } }\n"
      "external: { taobao: { pool: { listings: 200 } }, jd: { pool: { listings: 100 } } }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true, search: true },\n"
      "      jd: { live: true, video: true, search: true } }\n"
      "  - { from: 2022-02-01, taobao: { live: false, search: false }, jd: { live: false } }\n"
      "events:\n"
      "  - { type: promotion, from: 2021-12-01, to: 2021-12-05, traffic: 2, every: year }\n"
      "  - { type: subsidy, channel: jd, from: 2022-01-10, to: 2022-01-20,\n"
      "      commission_bonus: 0.05, price_discount: 0.1 }\n");
  return s;
}

TEST(Determinism, ModelV2ThreadCountAndSplitWorldDoNotMatter) {
  RunOptions one = test::threads(1), two = test::threads(2), four = test::threads(4);
  const RunResult a = run(world_v2(), one);
  // Every mechanism took part.
  const auto& rep = a.replications[0];
  for (const char* m : {"buyer_arrivals", "buyer_lapses", "gmv_search", "gmv_pool",
                        "streamer_exits", "streamer_entries", "subsidies"}) {
    EXPECT_GT(test::metric(rep, m), 0) << m;
  }
  EXPECT_TRUE(identical(a, run(world_v2(), two)));
  EXPECT_TRUE(identical(a, run(world_v2(), four)));
  one.replications = four.replications = 1;
  EXPECT_TRUE(identical(run(world_v2(), one), run(world_v2(), four)));
  // The split-worlds path on one process (tests/distributed/mpi_test.cpp
  // runs the bundled v2 scenarios on 2 and 3 ranks).
  RunOptions plain = test::threads(2), split = test::threads(2);
  split.partition_buyers = true;
  EXPECT_TRUE(identical(run(world_v2(), plain), run(world_v2(), split)));
}

// Embedding: the engine holds no process-wide state, so two runs of
// different scenarios on two threads of one process give what each gives
// alone.
TEST(Determinism, RunsOfDifferentScenariosSideBySideInOneProcess) {
  const RunResult v1 = run(world(), test::threads(1));
  const RunResult v2 = run(world_v2(), test::threads(1));
  RunResult a, b;
  std::thread first([&] { a = run(world(), test::threads(1)); });
  std::thread second([&] { b = run(world_v2(), test::threads(1)); });
  first.join();
  second.join();
  EXPECT_TRUE(identical(a, v1));
  EXPECT_TRUE(identical(b, v2));
}

// Rank 1 of a two-rank job, without MPI: it must simulate only its own
// replications (1, 3, ...), then receive the others through share(), which
// here copies them from a run alone.
class RankOneOfTwo : public Ensemble {
 public:
  explicit RankOneOfTwo(const RunResult& whole) : whole_(whole) {}
  int rank() const override { return 1; }
  int size() const override { return 2; }
  void share(std::vector<ReplicationResult>& reps) override {
    for (std::size_t r = 0; r < reps.size(); ++r) {
      if (!reps[r].metrics.empty()) {
        ran.push_back(static_cast<int>(r));
      } else {
        reps[r] = whole_.replications[r];
      }
    }
  }
  std::vector<int> ran;

 private:
  const RunResult& whole_;
};

// The ensemble is the caller's, passed in RunOptions: the run spreads its
// replications by that ensemble's rank and size, and gets the same result.
TEST(Determinism, TheEnsemblePassedInIsTheOneARunUses) {
  const RunResult whole = run(world_v2(), test::threads(2));
  RankOneOfTwo rank1(whole);
  RunOptions options = test::threads(2);
  options.ensemble = &rank1;
  const RunResult r = run(world_v2(), options);
  EXPECT_EQ(rank1.ran, std::vector<int>{1});
  EXPECT_TRUE(identical(r, whole));
  EXPECT_FALSE(rank1.writes_files());
}

TEST(Determinism, DifferentSeedsDiffer) {
  Scenario other = world();
  other.seed += 1;
  const RunResult a = run(world(), test::threads(2));
  const RunResult b = run(other, test::threads(2));
  EXPECT_FALSE(identical(a, b));
  EXPECT_NE(a.metrics[0].mean, b.metrics[0].mean);
  // Replications of one run differ from each other too.
  EXPECT_NE(a.replications[0].metrics[0], a.replications[1].metrics[0]);
}

TEST(Determinism, ScenariosWithTheSameSeedShareStreams) {
  // Links never close here, so the onboarding cost is never read: the two
  // scenarios are the same world drawn from the same streams.
  Scenario other = world();
  other.name = "renamed";
  other.merchants.onboarding.cost *= 3;
  EXPECT_TRUE(identical(run(world(), test::threads(2)), run(other, test::threads(2))));
}

TEST(Determinism, CommonRandomNumbersUntilScenariosDiverge) {
  // The same world with links cut on 2022-02-10: identical day by day before
  // the cut (same streams, same draws), different after it.
  Scenario cut = world();
  cut.policy.push_back(cut.policy.front());
  parse_date("2022-02-10", cut.policy.back().from);
  cut.policy.back().taobao.live = cut.policy.back().taobao.video = false;
  RunOptions one = test::threads(2);
  one.replications = 1;
  const RunResult a = run(world(), one);
  const RunResult b = run(cut, one);
  const int day = 40;  // 2022-02-10
  const auto& x = a.replications[0].daily;
  const auto& y = b.replications[0].daily;
  EXPECT_TRUE(same_bits(x.topRows(day), y.topRows(day)));
  EXPECT_FALSE(same_bits(x.row(day), y.row(day)));
}

}  // namespace
}  // namespace linksim
