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
  Fen pool_gmv = 0;
  for (const Order& o : w.orders) {
    if (!o.filled) continue;
    const Listing& l = w.listings[o.listing];
    Merchant& m = w.merchants[l.merchant];
    const Channel c = w.hot[o.listing].channel;
    const int ci = static_cast<int>(c);
    const bool streamed = o.streamer != no_streamer;
    const Fen p = l.price;
    const Fen goods = share(p, 1.0 - m.margin);
    // Search sales (v2) have no streamer: a store sale pays no commission, and
    // on a union link the platform is the promoter and keeps the commission.
    const Fen commission = streamed || c != Channel::store ? share(p, m.commission) : 0;
    // The merchant pays the store fee, or the external platform's fee and the
    // platform's link fee; the platform's CPS share comes out of the commission.
    Fen platform = 0, merchant_fees = 0, to_streamer = streamed ? commission : 0;
    if (c == Channel::store) {
      const Fen fee = share(p, s.platform.store_take_rate);
      acc.platform_store_fees += fee;
      platform = merchant_fees = fee;
    } else {
      const double take =
          c == Channel::taobao ? s.external.taobao.take_rate : s.external.jd.take_rate;
      const Fen external = share(p, take);
      const Fen cps = streamed ? share(commission, s.platform.cps_share) : commission;
      // The policy's link fee falls on the price (the merchant's margin) or,
      // v2's fee_on: commission, on the streamer's commission.
      const bool on_commission = w.today.fee_on_commission[ci];
      const Fen link_fee =
          on_commission ? share(commission - cps, w.today.fee[ci]) : share(p, w.today.fee[ci]);
      to_streamer = streamed ? commission - cps - (on_commission ? link_fee : 0) : 0;
      acc.platform_cps += cps;
      acc.platform_link_fees += link_fee;
      acc.external_fees += external;
      platform = cps + link_fee;
      merchant_fees = external + (on_commission ? 0 : link_fee);
      // Subsidies (v2), paid by the external platform: the buyer's discount
      // (GMV stays the listed price) and the streamer's commission bonus.
      const double bonus = streamed ? w.today.commission_bonus[ci] : 0.0;
      const double discount = w.today.price_discount[ci];
      if (bonus > 0 || discount > 0) {
        const Fen subsidy = share(p, bonus) + share(p, discount);
        to_streamer += share(p, bonus);
        acc.subsidies += subsidy;
        rec.at(day, Daily::subsidies) += static_cast<double>(subsidy);
      }
    }
    const Fen net = p - goods - commission - merchant_fees;
    m.month_net += net;
    m.sales_net += net;
    if (streamed) {
      w.streamers[o.streamer].income += to_streamer;
      w.streamers[o.streamer].month_income += to_streamer;
    }
    acc.gmv += p;
    acc.cost_of_goods += goods;
    acc.streamer_commission += to_streamer;
    const auto gmv_col = c == Channel::store    ? Daily::gmv_store
                         : c == Channel::taobao ? Daily::gmv_taobao
                                                : Daily::gmv_jd;
    const auto fp = static_cast<double>(p);
    rec.at(day, gmv_col) += fp;
    rec.at(day, o.surface == Surface::live    ? Daily::gmv_live
                : o.surface == Surface::video ? Daily::gmv_video
                                              : Daily::gmv_search) += fp;
    if (m.pool) {
      rec.at(day, Daily::gmv_pool) += fp;
      pool_gmv += p;
    } else {
      rec.at(day, m.origin == Origin::native   ? Daily::gmv_native
                  : m.origin == Origin::taobao ? Daily::gmv_origin_taobao
                                               : Daily::gmv_origin_jd) += fp;
    }
    rec.at(day, Daily::orders) += 1;
    rec.at(day, Daily::platform_revenue) += static_cast<double>(platform);
    rec.at(day, Daily::streamer_commission) += static_cast<double>(to_streamer);
  }
  // The day's GMV of Kuaishou merchants (entry attractiveness; v2's pool
  // listings are not theirs).
  w.gmv_ring[w.today.sim_day % 30] = acc.gmv - gmv_before - pool_gmv;
}

}  // namespace linksim::detail
