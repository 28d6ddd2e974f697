// The stock lottery: exactly min(stock, orders) filled per listing, the
// winners being the orders with the smallest lottery keys, whatever the order
// in which orders arrive.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "day/phases.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

struct Market {
  Scenario s = test::scenario_from("name: m\nbuyers: { trust: { stockout_penalty: 0.1 } }\n");
  World w;
  Market(const std::vector<double>& stock, int buyers) {
    w.recorder.resize(1, 0, 1);
    w.streamers.resize(1);
    w.merchants.resize(stock.size());
    for (std::size_t i = 0; i < stock.size(); ++i) {
      Listing l;
      l.merchant = static_cast<int>(i);
      l.price = 1000 * static_cast<Fen>(i + 1);
      l.stock = stock[i];
      w.listings.push_back(l);
      w.hot.push_back(ListingHot{});
    }
    w.buyers.count = buyers;
    w.buyers.trust.assign(buyers, 1.0f);
  }
  void order(std::uint32_t buyer, std::uint32_t listing, std::uint64_t key) {
    w.orders.push_back(Order{key, buyer, listing, 0, 0, Surface::live, false});
  }
};

TEST(Clearing, FillsExactlyMinOfStockAndOrders) {
  Market m({3.0, 10.0, 0.0, 2.9}, 40);
  std::mt19937_64 gen(7);
  const std::vector<int> wanted{8, 4, 5, 6};
  for (std::uint32_t l = 0; l < wanted.size(); ++l) {
    for (int k = 0; k < wanted[l]; ++k) m.order(static_cast<std::uint32_t>(l * 10 + k), l, gen());
  }
  clear_market(m.s, m.w);
  std::vector<int> filled(4, 0), lost(4, 0);
  for (const Order& o : m.w.orders) (o.filled ? filled : lost)[o.listing]++;
  EXPECT_EQ(filled, (std::vector<int>{3, 4, 0, 2}));  // 2.9 units in stock: 2 whole ones
  EXPECT_EQ(lost, (std::vector<int>{5, 0, 5, 4}));
  EXPECT_DOUBLE_EQ(m.w.listings[0].stock, 0.0);
  EXPECT_DOUBLE_EQ(m.w.listings[1].stock, 6.0);
  EXPECT_NEAR(m.w.listings[3].stock, 0.9, 1e-12);
  EXPECT_EQ(m.w.recorder.at(0, Daily::stockouts), 14);
  EXPECT_EQ(m.w.streamers[0].day_orders, 14);  // failed orders count against the streamer
  EXPECT_EQ(m.w.recorder.at(0, Daily::lost_gmv), 5 * 1000 + 5 * 3000 + 4 * 4000);
  // Buyers who lost an order lost trust; the others kept it.
  for (const Order& o : m.w.orders) {
    EXPECT_FLOAT_EQ(m.w.buyers.trust[o.buyer], o.filled ? 1.0f : 0.9f);
  }
}

TEST(Clearing, WinnersAreTheSmallestKeysWhateverTheArrivalOrder) {
  std::mt19937_64 gen(11);
  std::vector<std::uint64_t> keys(50);
  for (auto& k : keys) k = gen();
  std::vector<std::uint32_t> winners_first;
  for (int trial = 0; trial < 5; ++trial) {
    Market m({7.0}, 50);
    std::vector<std::uint32_t> buyers(50);
    for (std::uint32_t b = 0; b < 50; ++b) buyers[b] = b;
    std::shuffle(buyers.begin(), buyers.end(), gen);
    for (auto b : buyers) m.order(b, 0, keys[b]);
    clear_market(m.s, m.w);
    std::vector<std::uint32_t> winners;
    for (const Order& o : m.w.orders) {
      if (o.filled) winners.push_back(o.buyer);
    }
    std::sort(winners.begin(), winners.end());
    ASSERT_EQ(winners.size(), 7u);
    if (trial == 0) {
      winners_first = winners;
      std::vector<std::uint64_t> sorted = keys;
      std::sort(sorted.begin(), sorted.end());
      for (auto b : winners) EXPECT_LE(keys[b], sorted[6]);
    }
    EXPECT_EQ(winners, winners_first);
  }
}

// Equal keys (not expected of a 64-bit hash, but possible) are broken by
// buyer, then by session: the same winners whatever the arrival order.
TEST(Clearing, TiedKeysGoToTheSmallestBuyerThenSession) {
  std::mt19937_64 gen(13);
  for (int trial = 0; trial < 5; ++trial) {
    Market m({3.0}, 10);
    // Key 5: buyer 4 session 1, buyer 4 session 0, buyer 2; key 9: buyer 1.
    std::vector<Order> orders{{5, 4, 0, 0, 1, Surface::live, false},
                              {5, 4, 0, 0, 0, Surface::live, false},
                              {5, 2, 0, 0, 0, Surface::live, false},
                              {9, 1, 0, 0, 0, Surface::live, false},
                              {5, 7, 0, 0, 0, Surface::live, false}};
    std::shuffle(orders.begin(), orders.end(), gen);
    m.w.orders = orders;
    clear_market(m.s, m.w);
    std::vector<std::pair<std::uint32_t, std::uint16_t>> winners;
    for (const Order& o : m.w.orders) {
      if (o.filled) winners.emplace_back(o.buyer, o.session);
    }
    std::sort(winners.begin(), winners.end());
    EXPECT_EQ(winners,
              (std::vector<std::pair<std::uint32_t, std::uint16_t>>{{2, 0}, {4, 0}, {4, 1}}))
        << "trial " << trial;
  }
}

TEST(Clearing, UnlimitedStockFillsEverything) {
  Market m({0.0}, 5);
  m.s.merchants.stock.unlimited = true;
  for (std::uint32_t b = 0; b < 5; ++b) m.order(b, 0, b);
  clear_market(m.s, m.w);
  for (const Order& o : m.w.orders) EXPECT_TRUE(o.filled);
}

}  // namespace
}  // namespace linksim
