// Restocking (engine/day/stock.cpp): an active merchant's listing gains
// cap / restock_days a day up to its cap; exited merchants do not restock;
// union pool listings (deep stock) are never touched; unlimited stock skips
// the phase.
#include <gtest/gtest.h>

#include "day/phases.hpp"
#include "support.hpp"

namespace linksim {
namespace {

using namespace detail;

World shelves() {
  World w;
  w.merchants.resize(3);
  w.merchants[1].state = MerchantState::exited;
  for (int m : {0, 1, 2}) {
    Listing l;
    l.merchant = m;
    l.cap = 70;
    l.stock = 0;
    l.deep = m == 2;
    w.listings.push_back(l);
  }
  return w;
}

TEST(Stock, RestocksCapOverRestockDaysUpToTheCap) {
  const Scenario s = test::scenario_from("name: s\nmerchants: { stock: { restock_days: 7 } }\n");
  World w = shelves();
  for (int day = 1; day <= 9; ++day) {
    restock(s, w);
    EXPECT_DOUBLE_EQ(w.listings[0].stock, std::min(70.0, 10.0 * day)) << "day " << day;
  }
  EXPECT_DOUBLE_EQ(w.listings[1].stock, 0.0);  // exited
  EXPECT_DOUBLE_EQ(w.listings[2].stock, 0.0);  // a pool listing: deep stock, never counted
}

TEST(Stock, RestockDaysSetsTheSpeed) {
  const Scenario s = test::scenario_from("name: s\nmerchants: { stock: { restock_days: 2 } }\n");
  World w = shelves();
  restock(s, w);
  EXPECT_DOUBLE_EQ(w.listings[0].stock, 35.0);
  restock(s, w);
  EXPECT_DOUBLE_EQ(w.listings[0].stock, 70.0);
}

TEST(Stock, UnlimitedStockSkipsThePhase) {
  const Scenario s = test::scenario_from("name: s\nmerchants: { stock: { unlimited: true } }\n");
  World w = shelves();
  restock(s, w);
  EXPECT_DOUBLE_EQ(w.listings[0].stock, 0.0);
}

}  // namespace
}  // namespace linksim
