// The search surface (engine/day/search.cpp): each category's listings on
// search and in stock, in relevance order; sold-out and hidden ones left out;
// pages of a category with more listings than search_depth drawn by
// relevance, so that more relevant listings are shown more often.
#include <gtest/gtest.h>

#include "day/phases.hpp"
#include "linksim/simulation.hpp"
#include "support.hpp"
#include "world/world.hpp"

namespace linksim {
namespace {

using namespace detail;

TEST(Search, ListsTheCategorysListingsOnSearchInRelevanceOrder) {
  const Scenario s = test::scenario_from(
      test::homogeneous_yaml(),
      {"buyers.intent_share=0.5", "buyers.search_depth=3", "merchants.quality={mean: 0.5, sd: 0.2}",
       "merchants.stock.unlimited=false"});
  Simulation sim(s, 7);
  sim.step();
  World& w = sim.world();
  w.listings[2].stock = 0.5;              // sold out (less than a unit)
  w.hot[3].surfaces &= ~std::uint8_t{4};  // not on search
  rank_search(s, w);
  ASSERT_EQ(w.search.size(), 1u);
  const auto& list = w.search[0];
  EXPECT_EQ(list.size(), w.listings.size() - 2);
  for (int l : list) EXPECT_TRUE(l != 2 && l != 3);
  for (std::size_t i = 1; i < list.size(); ++i) {
    EXPECT_GE(search_relevance(s, w, list[i - 1]), search_relevance(s, w, list[i]));
  }
  EXPECT_FALSE(w.search_alias[0].empty());  // more listings than a page: pages are drawn
}

TEST(Search, OffWhenNoSessionIsAnIntentSession) {
  const Scenario s = test::scenario_from(test::homogeneous_yaml());
  Simulation sim(s, 7);
  sim.step();
  EXPECT_TRUE(sim.world().search[0].empty());
}

// Pages drawn by relevance^sharpness: with depth 2 and p = c0 x Q(q) small,
// listing l's orders are close to sessions x 2 x w_l / W x p_l (w_l its
// weight, W their sum), so the more relevant half of the listings sells
// sum(w p) over its half / sum(w p) over the other as much, and with
// sharpness 0 (uniform pages) only sum(p) / sum(p).
TEST(Search, PagesFavourRelevantListingsBySharpness) {
  for (const double sharpness : {0.0, 2.0}) {
    const Scenario s = test::scenario_from(
        test::homogeneous_yaml(),
        {"population.merchants=60", "buyers.intent_share=1", "buyers.search_depth=2",
         "buyers.search_sharpness=" + std::to_string(sharpness),
         "merchants.quality={mean: 0.5, sd: 0.25}"});
    Simulation sim(s, 11);
    std::vector<double> orders;
    for (int day = 0; day < 30; ++day) {
      sim.step();
      const World& w = sim.world();
      orders.resize(w.listings.size(), 0);
      for (const Order& o : w.orders) ++orders[o.listing];
    }
    const World& w = sim.world();
    const auto& ranked = w.search[0];  // every listing, most relevant first
    ASSERT_EQ(ranked.size(), 60u);
    double top = 0, bottom = 0, top_wp = 0, bottom_wp = 0;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      const int l = ranked[i];
      const double q = w.merchants[w.listings[l].merchant].quality;
      const double wp = std::pow(search_relevance(s, w, l), sharpness) * (0.5 + q);
      (i < 30 ? top : bottom) += orders[l];
      (i < 30 ? top_wp : bottom_wp) += wp;
    }
    EXPECT_NEAR(top / bottom, top_wp / bottom_wp, 0.08 * top_wp / bottom_wp)
        << "sharpness " << sharpness << ": " << top << " orders against " << bottom;
  }
}

}  // namespace
}  // namespace linksim
