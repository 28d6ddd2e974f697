// Step 6 of the day: every active merchant's listings restock by
// cap / restock_days, up to the cap (union pool listings never run out).
#include <algorithm>

#include "day/phases.hpp"

namespace linksim::detail {

void restock(const Scenario& s, World& w) {
  if (s.merchants.stock.unlimited) return;
  const double per_day = 1.0 / s.merchants.stock.restock_days;
  for (Listing& l : w.listings) {
    if (l.deep || w.merchants[l.merchant].state != MerchantState::active) continue;
    l.stock = std::min(l.cap, l.stock + l.cap * per_day);
  }
}

}  // namespace linksim::detail
