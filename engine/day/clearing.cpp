// Step 3 of the day: orders meet stock. Where a listing has more orders than
// whole units in stock, the units go to the orders with the smallest lottery
// keys, so exactly min(stock, orders) are filled whatever the arrival order.
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"

namespace linksim::detail {

void penalise(Buyers& b, std::uint32_t buyer, float penalty) {
  const std::int64_t local = static_cast<std::int64_t>(buyer) - b.first;
  if (local < 0 || local >= b.count) return;
  float& t = b.trust[static_cast<std::size_t>(local)];
  t = std::max(0.0f, t - penalty);
}

namespace {

// A listing's lottery: reorders its orders' indices `index[0, count)` so that
// the first `units` are the winners, the smallest in (key, buyer, session), a
// total order. A selection (std::nth_element) over 16-byte (key, order)
// tickets, no sort.
void draw_lottery(const std::vector<Order>& orders, std::uint32_t* index, std::size_t count,
                  std::int64_t units, std::vector<LotteryTicket>& tickets) {
  tickets.clear();
  for (std::size_t k = 0; k < count; ++k) tickets.push_back({orders[index[k]].key, index[k]});
  std::nth_element(tickets.begin(), tickets.begin() + static_cast<std::ptrdiff_t>(units),
                   tickets.end(), [&orders](const LotteryTicket& a, const LotteryTicket& b) {
                     if (a.key != b.key) return a.key < b.key;
                     const Order& x = orders[a.order];
                     const Order& y = orders[b.order];
                     if (x.buyer != y.buyer) return x.buyer < y.buyer;
                     return x.session < y.session;
                   });
  for (std::size_t k = 0; k < count; ++k) index[k] = tickets[k].order;
}

}  // namespace

void clear_market(const Scenario& s, World& w) {
  // Orders by listing: a counting pass (linear in orders and listings) places
  // the orders' indices by listing; the 24-byte orders stay where they are.
  // Nothing later depends on the order of the orders, only on which are
  // filled: every later sum over orders is of integers (fen, counts, exact in
  // a double below 2^53), and the trust penalties of one phase are all the
  // same amount.
  auto& orders = w.orders;
  std::vector<std::uint32_t>& start = w.order_starts;
  start.assign(w.listings.size() + 1, 0);
  for (const Order& o : orders) ++start[o.listing + 1];
  for (std::size_t l = 1; l < start.size(); ++l) start[l] += start[l - 1];
  std::vector<std::uint32_t>& index = w.order_index;
  index.resize(orders.size());
  {
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < orders.size(); ++k) {
      index[next[orders[k].listing]++] = static_cast<std::uint32_t>(k);
    }
  }
  const int day = w.today.day;
  const bool unlimited = s.merchants.stock.unlimited;
  const float penalty = static_cast<float>(s.buyers.trust.stockout_penalty);
  double lost_gmv = 0, stockouts = 0;
  for (std::size_t id = 0; id + 1 < start.size(); ++id) {
    const std::size_t i = start[id], j = start[id + 1];
    if (i == j) continue;
    Listing& l = w.listings[id];
    const auto wanted = static_cast<std::int64_t>(j - i);
    const bool deep = unlimited || l.deep;  // a union pool listing: the union's warehouses
    const std::int64_t units =
        deep ? wanted : std::min<std::int64_t>(wanted, std::llround(std::floor(l.stock)));
    if (units > 0 && units < wanted) draw_lottery(orders, &index[i], j - i, units, w.tickets);
    for (std::size_t k = i; k < j; ++k) {
      Order& o = orders[index[k]];
      o.filled = static_cast<std::int64_t>(k - i) < units;
      if (!o.filled) {
        // A failed order counts against the streamer's reputation (search has none).
        if (o.streamer != no_streamer) ++w.streamers[o.streamer].day_orders;
        penalise(w.buyers, o.buyer, penalty);
        lost_gmv += static_cast<double>(l.price);
        stockouts += 1;
      }
    }
    if (!deep) l.stock -= static_cast<double>(units);
    l.month_demand += wanted;
    l.orders_today = static_cast<int>(units);
  }
  w.recorder.at(day, Daily::lost_gmv) += lost_gmv;
  w.recorder.at(day, Daily::stockouts) += stockouts;
}

}  // namespace linksim::detail
