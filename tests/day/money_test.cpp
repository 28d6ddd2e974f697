// Money identity over a whole run, to the fen: every yuan of GMV is held by
// someone, and the holders' own accounts (each merchant, each streamer, the
// platform, the external platforms, cost of goods) add up to it.
#include <gtest/gtest.h>

#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

TEST(Money, EveryFenOfGmvIsAccountedFor) {
  // Open links with a link fee, a mixed origin, a promotion: every money path.
  const Scenario s = test::small_world(
      "merchants: { origin_mix: { native: 0.6, taobao: 0.25, jd: 0.15 } }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true, fee: 0.07 },\n"
      "      jd: { live: true, video: true, fee: 0.03 } }\n"
      "  - { from: 2022-02-01, taobao: { live: false } }\n");
  Simulation sim(s, detail::replication_seed(s.seed, 0), 2);
  sim.run_to_end();
  const auto& w = sim.world();
  detail::Fen merchants = 0, streamers = 0;
  for (const auto& m : w.merchants) merchants += m.sales_net;
  for (const auto& st : w.streamers) streamers += st.income;
  const auto& a = w.accounts;
  ASSERT_GT(a.gmv, 0);
  ASSERT_GT(a.platform_link_fees, 0);
  ASSERT_GT(a.platform_cps, 0);
  EXPECT_EQ(a.streamer_commission, streamers);
  EXPECT_EQ(a.gmv, merchants + a.platform_store_fees + a.platform_cps + a.platform_link_fees +
                       streamers + a.external_fees + a.cost_of_goods);
  // The reported GMV is the accounts' GMV.
  const ReplicationResult r = sim.result();
  EXPECT_EQ(static_cast<detail::Fen>(r.metrics[0]), a.gmv);
  EXPECT_EQ(static_cast<detail::Fen>(r.daily.col(test::daily_column("platform_revenue")).sum()),
            a.platform_store_fees + a.platform_cps + a.platform_link_fees);
}

}  // namespace
}  // namespace linksim
