// Step 5 of the day: the money of every filled order, in integer fen, booked
// to whoever receives it (merchant, platform, streamer, external platform,
// cost of goods), so that the accounts add up to GMV exactly.
#include <cmath>

#include "day/phases.hpp"

namespace linksim::detail {

namespace {
Fen share(Fen amount, double rate) { return std::llround(static_cast<double>(amount) * rate); }
}  // namespace

void settle_money(const Scenario& s, World& w) {
  const int day = w.today.day;
  auto& rec = w.recorder;
  auto& acc = w.accounts;
  const Fen gmv_before = acc.gmv;
  for (const Order& o : w.orders) {
    if (!o.filled) continue;
    const Listing& l = w.listings[o.listing];
    Merchant& m = w.merchants[l.merchant];
    const Channel c = w.hot[o.listing].channel;
    const Fen p = l.price;
    const Fen goods = share(p, 1.0 - m.margin);
    const Fen commission = share(p, m.commission);
    // The merchant pays the store fee, or the external platform's fee and the
    // platform's link fee; the platform's CPS share comes out of the commission.
    Fen platform = 0, merchant_fees = 0, to_streamer = commission;
    if (c == Channel::store) {
      const Fen fee = share(p, s.platform.store_take_rate);
      acc.platform_store_fees += fee;
      platform = merchant_fees = fee;
    } else {
      const double take =
          c == Channel::taobao ? s.external.taobao.take_rate : s.external.jd.take_rate;
      const Fen external = share(p, take);
      const Fen cps = share(commission, s.platform.cps_share);
      const Fen link_fee = share(p, w.today.fee[static_cast<int>(c)]);
      to_streamer = commission - cps;
      acc.platform_cps += cps;
      acc.platform_link_fees += link_fee;
      acc.external_fees += external;
      platform = cps + link_fee;
      merchant_fees = external + link_fee;
    }
    const Fen net = p - goods - commission - merchant_fees;
    m.month_net += net;
    m.sales_net += net;
    w.streamers[o.streamer].income += to_streamer;
    acc.gmv += p;
    acc.cost_of_goods += goods;
    acc.streamer_commission += to_streamer;
    const auto gmv_col = c == Channel::store    ? Daily::gmv_store
                         : c == Channel::taobao ? Daily::gmv_taobao
                                                : Daily::gmv_jd;
    rec.at(day, gmv_col) += static_cast<double>(p);
    rec.at(day, o.surface == Surface::live ? Daily::gmv_live : Daily::gmv_video) +=
        static_cast<double>(p);
    rec.at(day, Daily::orders) += 1;
    rec.at(day, Daily::platform_revenue) += static_cast<double>(platform);
    rec.at(day, Daily::streamer_commission) += static_cast<double>(to_streamer);
  }
  w.gmv_ring[w.today.sim_day % 30] = acc.gmv - gmv_before;  // the day's GMV
}

void restock(const Scenario& s, World& w) {
  if (s.merchants.stock.unlimited) return;
  const double per_day = 1.0 / s.merchants.stock.restock_days;
  for (Listing& l : w.listings) {
    if (w.merchants[l.merchant].state != MerchantState::active) continue;
    l.stock = std::min(l.cap, l.stock + l.cap * per_day);
  }
}

}  // namespace linksim::detail
