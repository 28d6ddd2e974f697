// What a session browses: the first browse_depth listings of the visited
// streamer's cart that are shown on the session's surface, walked from the
// day's offset and wrapping round (model.md step 2); a browse_depth beyond
// the cart browses the whole cart and nothing more.
#include <gtest/gtest.h>

#include <algorithm>

#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

// JD listings are shown on video only, so that the surface decides what is browsed.
Scenario browse_world(int depth) {
  return test::small_world(
      "merchants: { origin_mix: { native: 0.5, taobao: 0.3, jd: 0.2 } }\n"
      "buyers: { browse_depth: " +
      std::to_string(depth) +
      ", max_orders_per_session: 3 }\n"
      "conversion: { base: 0.2 }\n"
      "policy:\n"
      "  - { from: 2020-01-01, taobao: { live: true, video: true }, jd: { live: false, video: "
      "true } }\n");
}

// The listings a session on streamer `st` and `surface` may order today, walked
// as the model says, independently of the engine's browse lists.
std::vector<std::int32_t> browsed(const detail::World& w, std::size_t st, Surface surface,
                                  int depth) {
  std::vector<std::int32_t> out;
  const int len = w.cart_len[st];
  const std::uint8_t bit = surface == Surface::live ? 1 : 2;
  for (int j = 0; j < len && static_cast<int>(out.size()) < depth; ++j) {
    const std::int32_t l = w.carts[st * w.cart_size + (w.cart_offset[st] + j) % len];
    if (w.hot[l].surfaces & bit) out.push_back(l);
  }
  return out;
}

TEST(Demand, OrdersComeFromTheBrowsedWindowOfTheirSurface) {
  const int depth = 3;
  const Scenario s = browse_world(depth);
  Simulation sim(s, detail::replication_seed(s.seed, 0), 2);
  std::int64_t checked = 0, wrapped = 0, video_only = 0;
  for (int d = 0; d < 30; ++d) {
    sim.step();  // the world now holds the day's carts, offsets and orders
    const detail::World& w = sim.world();
    for (const auto& o : w.orders) {
      const auto window = browsed(w, o.streamer, o.surface, depth);
      ASSERT_NE(std::find(window.begin(), window.end(), static_cast<std::int32_t>(o.listing)),
                window.end())
          << "day " << d << ": listing " << o.listing << " of streamer " << o.streamer
          << " is not among the " << depth << " browsed on its surface";
      ++checked;
      const int len = w.cart_len[o.streamer];
      for (int j = 0; j < len; ++j) {
        if (w.carts[static_cast<std::size_t>(o.streamer) * w.cart_size + j] ==
            static_cast<std::int32_t>(o.listing)) {
          wrapped += j < w.cart_offset[o.streamer];
        }
      }
      video_only += w.hot[o.listing].channel == Channel::jd;
      EXPECT_FALSE(w.hot[o.listing].channel == Channel::jd && o.surface == Surface::live);
    }
  }
  // The cases that matter were met: many orders, some from past the cart's
  // end (the walk wrapped), some of JD's video-only listings.
  EXPECT_GT(checked, 1000);
  EXPECT_GT(wrapped, 0);
  EXPECT_GT(video_only, 0);
}

TEST(Demand, BrowsingBeyondTheCartIsBrowsingTheCart) {
  // The cart holds 20 listings: a depth of 20 and one of 50 browse the same.
  const auto run = [](int depth) {
    const Scenario s = browse_world(depth);
    Simulation sim(s, detail::replication_seed(s.seed, 0), 1);
    sim.run_to_end();
    return sim.result();
  };
  // Equal, bit for bit, where NaN (a metric undefined in this world) equals NaN.
  const auto same = [](const auto& a, const auto& b) {
    return (a == b || (a.isNaN() && b.isNaN())).all();
  };
  const ReplicationResult whole = run(20), beyond = run(50), less = run(5);
  const Eigen::Map<const Eigen::ArrayXd> m_whole(whole.metrics.data(), whole.metrics.size()),
      m_beyond(beyond.metrics.data(), beyond.metrics.size()),
      m_less(less.metrics.data(), less.metrics.size());
  EXPECT_TRUE(same(m_whole, m_beyond));
  EXPECT_TRUE(same(whole.daily.array(), beyond.daily.array()));
  EXPECT_FALSE(same(m_whole, m_less));  // the depth matters below the cart's size
}

}  // namespace
}  // namespace linksim
